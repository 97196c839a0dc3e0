"""A tiny model trained, exported, loaded and scored end to end (CI's train-export-load-score)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from training.config import TrainConfig
from training.data_build import build
from training.pipeline import train
from triage.labels import LABELS
from triage.scoring.bundle import BundleError, load_manifest
from triage.scoring.onnx_backend import OnnxScorer
from triage.scoring.registry import load_bundle
from triage.scoring.torch_backend import TorchScorer

ROOT = Path(__file__).resolve().parents[2]
TEXTS = [
    "When is my bin collected?",
    "you absolute idiot",
    "ring 07911 123456",
    "Vote Reform on Thursday",
    "lovely park",
]
# The ONNX graph computes what torch computes (fp32 export, same weights), to float rounding:
EXPORT_TOLERANCE = 1e-3
# int8 weights and activations against the fp16 weights in torch: mean calibrated-probability gap.
# (A random tiny model's outputs sit near its thresholds, where Platt slopes are steep, so single
# texts can move more; the shipped bundle's figures are in docs/BENCHMARKS.md.)
AGREEMENT_TOLERANCE = 0.03


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("roundtrip")
    table = work / "table.parquet"
    build(ROOT / "data/raw", table, synthetic_pii_rows=200, synthetic_council_rows=200, synthetic_functional_rows=200)
    config = replace(TrainConfig.load(ROOT / "training/configs/tiny.toml"), table=str(table))
    import os

    previous = Path.cwd()
    os.chdir(work)
    os.environ["MLFLOW_TRACKING_URI"] = f"sqlite:///{work / 'mlflow.db'}"
    try:
        return train(config, output_root=work / "models", track=True, log=lambda _: None)
    finally:
        os.chdir(previous)
        os.environ.pop("MLFLOW_TRACKING_URI")


def test_bundle_manifest_describes_itself(bundle: Path) -> None:
    manifest = load_manifest(bundle)
    assert manifest.labels == list(LABELS)
    assert manifest.training_data_hash and manifest.mlflow_run_id and manifest.calibration
    assert set(manifest.thresholds) == set(LABELS)
    # the layers left in fp32 were chosen on validation, and the manifest says which and why
    from training.export import EXCLUSION_CANDIDATES

    assert manifest.quantisation["fp32_layers"] in {name for name, _ in EXCLUSION_CANDIDATES}
    assert 0 <= float(manifest.quantisation["validation_f1_change"]) <= 1


def test_onnx_scorer_scores_every_label(bundle: Path) -> None:
    results = load_bundle(bundle).score(TEXTS)
    assert len(results) == len(TEXTS)
    for result in results:
        assert set(result.scores) == set(LABELS)
        assert all(0.0 <= v <= 1.0 for v in result.scores.values())
    assert results[2].pii_spans and results[2].scores["personal_info"] >= 0.99


def test_onnx_export_computes_what_torch_computes(bundle: Path, tmp_path: Path) -> None:
    import onnxruntime as ort

    from training.export import export_onnx

    scorer = TorchScorer(bundle)
    export_onnx(scorer.model, tmp_path / "fp32.onnx")
    onnx_scorer = OnnxScorer(bundle)
    onnx_scorer.session = ort.InferenceSession(str(tmp_path / "fp32.onnx"), providers=["CPUExecutionProvider"])
    _, onnx_outputs = onnx_scorer.run(TEXTS)
    _, torch_outputs = scorer.run(TEXTS)
    assert len(onnx_outputs) == len(torch_outputs) == 3  # labels, intents, PII token tags
    for onnx_output, torch_output in zip(onnx_outputs, torch_outputs, strict=True):
        assert onnx_output.shape == torch_output.shape
        assert np.abs(onnx_output - torch_output).max() <= EXPORT_TOLERANCE


def test_pii_head_trained_and_its_sources_chosen(bundle: Path) -> None:
    """The PII head is trained on the frozen backbone and, per type, the span source is chosen on
    validation; the manifest records both the choice and the validation span F1."""
    from triage.labels import PII_TYPES
    from triage.scoring.pii import PII_SOURCES

    manifest = load_manifest(bundle)
    assert set(manifest.pii_sources) == set(PII_TYPES)
    assert set(manifest.pii_sources.values()) <= set(PII_SOURCES)
    assert 0 <= manifest.metrics["val_pii_span_f1"] <= 1
    assert manifest.metrics["val_pii_span_f1"] >= manifest.metrics["val_pii_span_f1_rules"]


def test_onnx_and_torch_agree(bundle: Path) -> None:
    onnx_scores = np.array([[r.scores[label] for label in LABELS] for r in OnnxScorer(bundle).score(TEXTS)])
    torch_scores = np.array([[r.scores[label] for label in LABELS] for r in TorchScorer(bundle).score(TEXTS)])
    assert np.abs(onnx_scores - torch_scores).mean() <= AGREEMENT_TOLERANCE


def test_loader_refuses_a_bundle_without_manifest(bundle: Path, tmp_path: Path) -> None:
    (tmp_path / "model.int8.onnx").write_bytes((bundle / "model.int8.onnx").read_bytes())
    with pytest.raises(BundleError, match="no manifest"):
        load_bundle(tmp_path)


def test_loader_refuses_other_labels(bundle: Path, tmp_path: Path) -> None:
    manifest = json.loads((bundle / "manifest.json").read_text())
    manifest["labels"] = ["toxic", *manifest["labels"][1:]]
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(BundleError, match="differ"):
        load_bundle(tmp_path)


def test_score_command_round_trip(bundle: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from triage_cli.main import app

    source, target = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_text("\n".join(json.dumps({"text": t, "id": i}) for i, t in enumerate(TEXTS)) + "\n")
    result = CliRunner().invoke(app, ["score", "--model", str(bundle), "--input", str(source), "--output", str(target)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in target.read_text().splitlines()]
    assert [r["id"] for r in rows] == list(range(len(TEXTS)))
    assert all({"scores", "flags", "pii_spans", "intent"} <= set(r) for r in rows)


def test_score_command_rejects_lines_without_text(bundle: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from triage_cli.main import app

    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"body": "no text field"}) + "\n")
    result = CliRunner().invoke(
        app, ["score", "--model", str(bundle), "--input", str(source), "--output", str(tmp_path / "o")]
    )
    assert result.exit_code != 0 and "text" in result.output


def test_model_reload_under_load_fails_no_request(bundle: Path, tmp_path: Path) -> None:
    """An admin reload swaps the model while comments keep arriving: every request succeeds and
    each decision records the version that scored it."""
    import shutil
    from concurrent.futures import ThreadPoolExecutor
    from datetime import UTC, datetime

    from fastapi.testclient import TestClient

    from serve.app import create_app
    from triage.config import Settings
    from triage.policy.profile import known_councils
    from triage.storage.accounts import create_api_key

    served = tmp_path / "served"
    shutil.copytree(bundle, served)
    old_version = load_manifest(served).model_version
    app = create_app(
        Settings(database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", model_path=served, environment="test")
    )
    with TestClient(app) as client:
        with app.state.triage.sessions() as session:
            key = create_api_key(
                session, name="k", councils=["swale"], scopes=["comments:write", "admin"], now=datetime.now(UTC)
            )
            admin_key = create_api_key(
                session,
                name="admin",
                councils=known_councils(Settings().council_profiles),
                scopes=["admin"],
                now=datetime.now(UTC),
            )  # the model serves every council
            session.commit()
        headers = {"Authorization": f"Bearer {key}"}

        def post(index: int) -> tuple[int, str | None]:
            body = {
                "platform": "x",
                "external_id": f"r{index}",
                "author_handle": "a",
                "text": f"comment number {index}",
            }
            response = client.post("/v1/comments", json=body, headers=headers)
            return response.status_code, response.json().get("model_version")

        manifest = json.loads((served / "manifest.json").read_text())
        manifest["model_version"] = "promoted-version"
        (served / "manifest.json").write_text(json.dumps(manifest))
        with ThreadPoolExecutor(8) as pool:
            first = [pool.submit(post, i) for i in range(40)]
            reload = client.post("/v1/admin/reload-model", headers={"Authorization": f"Bearer {admin_key}"})
            second = [pool.submit(post, i) for i in range(40, 80)]
            results = [f.result() for f in first + second]
        assert reload.status_code == 200 and reload.json()["model_version"] == "promoted-version"
        assert all(status == 200 for status, _ in results)
        assert {version for _, version in results} <= {old_version, "promoted-version"}
        assert post(999)[1] == "promoted-version"
