"""The n-gram head: plain arrays on disk that load to the same logits; stacked calibration needs
it; each label's inputs are chosen on council dev without giving up the public rows."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from training.calibration import fit_calibration
from training.ngram_head import fit_ngram_head
from training.stacking import _best, choose_inputs
from triage.data import rows_to_frame
from triage.labels import LABELS
from triage.scoring.bundle import BundleError, Calibration, Manifest
from triage.scoring.encoding import calibrated
from triage.scoring.ngram import NgramHead

THREATS = ["i will burn your house down", "someone should shoot the councillor", "ill smash his face in"]
CALM = ["the bins were late again", "thanks for fixing the light", "when does the library open"]


def _table(rows: int = 120, source: str = "council_written") -> pd.DataFrame:
    texts = [(THREATS if i % 3 == 0 else CALM)[i % 3] + f" {i}" for i in range(rows)]
    return rows_to_frame(
        [
            {
                "text": text,
                "source": source,
                "split": "train",
                "labels": {label: int(label == "threat" and i % 3 == 0) for label in LABELS},
                "synthetic": True,
                "intent": "none",
            }
            for i, text in enumerate(texts)
        ]
    )


def test_the_head_reads_threat_words_and_round_trips_without_pickle(tmp_path: Path) -> None:
    head = fit_ngram_head(_table(), {"council_written": 10.0}, log=lambda _: None)
    texts = ["i will burn your car", "the library was lovely"]
    before = head.logits(texts)
    assert before[0, LABELS.index("threat")] > before[1, LABELS.index("threat")]
    head.save(tmp_path / "ngram.npz")
    with np.load(tmp_path / "ngram.npz", allow_pickle=False) as arrays:  # plain arrays, no objects
        assert {"coef", "intercept", "word_terms", "char_idf"} <= set(arrays.files)
    after = NgramHead.load(tmp_path / "ngram.npz").logits(texts)
    np.testing.assert_allclose(after, before, rtol=1e-5, atol=1e-5)


def test_a_head_for_other_labels_is_refused(tmp_path: Path) -> None:
    head = fit_ngram_head(_table(), {}, log=lambda _: None)
    NgramHead(head.parts, head.coef[:3], head.intercept[:3]).save(tmp_path / "short.npz")
    with pytest.raises(ValueError, match="labels"):
        NgramHead.load(tmp_path / "short.npz")


def test_stacked_calibration_needs_the_heads_logits() -> None:
    calibration = Calibration(a=dict.fromkeys(LABELS, 1.0), b=dict.fromkeys(LABELS, 0.0), c={"threat": 2.0})
    logits = np.zeros((1, len(LABELS)))
    with pytest.raises(ValueError, match="n-gram"):
        calibrated(logits, calibration)
    ngram = np.zeros((1, len(LABELS)))
    ngram[0, LABELS.index("threat")] = 3.0
    probabilities = calibrated(logits, calibration, ngram)
    assert probabilities[0, LABELS.index("threat")] == pytest.approx(1 / (1 + np.exp(-6.0)))
    assert probabilities[0, LABELS.index("abuse")] == pytest.approx(0.5)


def test_a_manifest_that_stacks_a_head_it_does_not_ship_is_refused() -> None:
    calibration = Calibration(a=dict.fromkeys(LABELS, 1.0), b=dict.fromkeys(LABELS, 0.0), c={"threat": 1.0})
    fields = {"kind": "onnx-policy", "name": "m", "model_version": "v", "labels": list(LABELS), "thresholds": {}}
    with pytest.raises(ValueError, match="n-gram"):
        Manifest(**fields, calibration=calibration)
    assert Manifest(**fields, calibration=calibration, files={"ngram": "ngram.npz"}).calibration is not None
    assert issubclass(BundleError, ValueError)


def _dev(n: int, seed: int) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.3).astype(int)
    frame = pd.DataFrame({label: y for label in LABELS} | {f"{label}_known": True for label in LABELS})
    informative = (2 * y - 1) * 3.0 + rng.normal(0, 1, n)
    noise = rng.normal(0, 1, (n, len(LABELS)))
    return frame, {"informative": np.tile(informative[:, None], (1, len(LABELS))), "noise": noise}


def test_each_label_reads_what_reads_council_dev_best() -> None:
    dev, dev_logits = _dev(300, 0)
    public, public_logits = _dev(300, 1)
    logits = {
        "model": dev_logits["noise"],
        "ngram": dev_logits["informative"],
        "public_model": public_logits["noise"],
        "public_ngram": public_logits["informative"],
    }
    chosen = choose_inputs(logits, dev, public, log=lambda _: None)
    assert set(chosen.values()) == {"stack"}
    calibration, thresholds, _ = fit_calibration(logits["model"], dev, logits["ngram"], chosen)
    assert set(calibration.c) == set(LABELS)
    assert all(0.0 < t < 1.0 for t in thresholds.values())


def test_the_head_is_not_chosen_where_it_reads_the_public_rows_worse() -> None:
    scores = {"model": (0.80, 0.70), "stack": (0.85, 0.695)}
    assert _best(scores) == "stack"
    scores["stack"] = (0.85, 0.60)
    assert _best(scores) == "model"


def test_f1_at_every_threshold_is_sklearns_f1() -> None:
    from sklearn.metrics import f1_score

    from triage.evaluation import f1_at_thresholds

    rng = np.random.default_rng(7)
    for _ in range(50):
        n = int(rng.integers(1, 200))
        y, p = (rng.random(n) < rng.random()).astype(int), np.round(rng.random(n), 2)
        thresholds = np.unique(np.concatenate([p, rng.random(3), [0.0, 1.0, 1.5]]))
        expected = [f1_score(y, p >= t, zero_division=0) for t in thresholds]
        np.testing.assert_allclose(f1_at_thresholds(y, p, thresholds), expected)
