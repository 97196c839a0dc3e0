"""Keeps the generated parts of docs/ pages between markers, leaving the hand-written text alone."""

from __future__ import annotations

from pathlib import Path

START, END = "<!-- generated:start -->", "<!-- generated:end -->"


def replace_generated(path: Path, generated: str, title: str) -> None:
    text = path.read_text() if path.exists() else f"# {title}\n\n{START}\n{END}\n"
    if START not in text:
        text += f"\n{START}\n{END}\n"
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{head}{START}\n{generated}{END}{tail}")


def refresh_evaluation_doc(path: Path, table: str) -> None:
    replace_generated(path, table, "Evaluation")
