"""The analysis notebook runs top to bottom on a small sample (outputs are stripped in git)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

NOTEBOOK = Path("notebooks/error_analysis.ipynb")
BUNDLE = Path("models/minilm-policy")


@pytest.mark.skipif(not BUNDLE.exists(), reason="no shipped bundle")
def test_notebook_executes_on_a_small_sample(tmp_path: Path) -> None:
    import nbformat
    from nbclient import NotebookClient

    table = Path("data/build/table.parquet")
    if not table.exists():
        from training.data_build import build

        table = tmp_path / "table.parquet"
        build(
            Path("data/raw"), table, synthetic_pii_rows=200, synthetic_council_rows=200, synthetic_functional_rows=200
        )
    os.environ.update({"TRIAGE_NOTEBOOK_SAMPLE": "60", "TRIAGE_NOTEBOOK_TABLE": str(table.resolve())})
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": "."}}).execute()
    assert all(cell.get("outputs") is not None for cell in notebook.cells if cell.cell_type == "code")


def test_notebook_is_stored_without_outputs() -> None:
    import nbformat

    notebook = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code")
