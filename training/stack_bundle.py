"""`triage stack`: fit the n-gram head on the training table and stack it into a trained bundle
(calibration, thresholds and the personal_info span floor refitted on council dev)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from training.calibration import fit_calibration, thresholds_under_cap
from training.ngram_head import fit_ngram_head
from training.pipeline import span_floor_on, validation_metrics
from training.stacking import choose_inputs
from triage.data import table_hash
from triage.scoring.bundle import Manifest, write_manifest
from triage.scoring.encoding import calibrated
from triage.scoring.ngram import NgramHead
from triage.scoring.onnx_backend import OnnxScorer

NGRAM_FILE = "ngram.npz"


def served_logits(scorer: OnnxScorer, texts: list[str], batch: int = 64) -> np.ndarray:
    """The bundle's own ONNX label logits (what is served), before calibration."""
    return np.concatenate([scorer.run(texts[i : i + batch])[1][0] for i in range(0, len(texts), batch)])


def validation_rows(table: pd.DataFrame, source: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Council dev (calibration and every choice) and the public sources' validation rows (the guard)."""
    val = table[table["split"] == "val"]
    return (
        val[val["source"] == source].reset_index(drop=True),
        val[val["source"] != source].reset_index(drop=True),
    )


def stack_bundle(
    bundle: Path,
    table: pd.DataFrame,
    source_weights: dict[str, float],
    source: str = "council_written",
    log=print,
    clean_flag_cap: float | None = None,
) -> dict[str, str]:
    """Fit the head, choose each label's inputs, refit calibration and thresholds (under the cap on
    clean rows flagged, where given); rewrite the bundle's manifest and head file. Returns the
    inputs chosen per label."""
    head = fit_ngram_head(table, source_weights, log=log)
    dev, public = validation_rows(table, source)
    log(f"scoring {len(dev)} council dev and {len(public)} public validation rows")
    scorer = OnnxScorer(bundle, threads=0)
    logits = {
        "model": served_logits(scorer, dev["text"].tolist()),
        "ngram": head.logits(dev["text"].tolist()),
        "public_model": served_logits(scorer, public["text"].tolist()),
        "public_ngram": head.logits(public["text"].tolist()),
    }
    inputs = choose_inputs(logits, dev, public, log=log)
    calibration, thresholds, _ = fit_calibration(logits["model"], dev, logits["ngram"], inputs)
    probabilities = calibrated(logits["model"], calibration, logits["ngram"])
    manifest = scorer.manifest
    manifest.calibration, manifest.thresholds = calibration, thresholds
    manifest.pii_span_floor = span_floor_on(dev, probabilities, thresholds, log)
    if clean_flag_cap is not None:
        thresholds = thresholds_under_cap(dev, probabilities, thresholds, manifest.pii_span_floor, clean_flag_cap, log)
        manifest.thresholds = thresholds
    metrics = validation_metrics(probabilities, dev, thresholds)
    manifest.metrics |= {k: round(v, 4) for k, v in metrics.items() if v == v}
    _write(bundle, head, table, manifest)
    return inputs


def _write(bundle: Path, head: NgramHead, table: pd.DataFrame, manifest: Manifest) -> None:
    head.save(bundle / NGRAM_FILE)
    data_hash = table_hash(table)
    manifest.files["ngram"] = NGRAM_FILE
    manifest.model_version = f"{manifest.name}-{datetime.now(UTC):%Y%m%d%H%M}-{data_hash[:6]}"
    manifest.training_data_hash = data_hash
    manifest.created_at = datetime.now(UTC).isoformat(timespec="seconds")
    write_manifest(bundle, manifest)
