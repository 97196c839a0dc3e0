"""Evidence the transformer does not share (the n-gram head's words, a recognised PII pattern the
model does not read as personal information) may flag a comment for a person, never remove it
alone; and thresholds can be held to a cap on clean comments flagged."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from tests.conftest import scores
from training.calibration import cap_clean_flags, fit_calibration
from triage.labels import HARMFUL_LABELS, INTENTS, LABELS
from triage.policy import decide, load_profile, shipped_profiles
from triage.scoring.base import PII_SPAN_SCORE, finalise, scored_batch
from triage.scoring.bundle import Calibration, Manifest, TransformerAlone
from triage.scoring.encoding import Encoded, unread_by_transformer
from triage.types import Comment, Context, ScoredText

DISTRICT = load_profile(shipped_profiles()["district-001"])
NOON = Context(now=pd.Timestamp("2026-11-17 12:00").to_pydatetime())


def _decide(uncorroborated: tuple[str, ...], **given: float):
    scored = ScoredText(scores=scores(**given), uncorroborated=uncorroborated)
    return decide(Comment(text="a comment"), scored, NOON, DISTRICT)


def test_a_removal_only_the_head_supports_waits_for_a_person() -> None:
    corroborated = _decide((), political=0.95)
    assert corroborated.action == "remove" and not corroborated.needs_review
    head_only = _decide(("political",), political=0.95)
    assert head_only.action == "remove" and head_only.needs_review
    assert "uncorroborated" in head_only.review_causes


def test_a_removal_the_transformer_also_supports_stands() -> None:
    both = _decide(("political",), political=0.95, abuse=0.95)
    assert both.action == "remove" and "uncorroborated" not in both.review_causes


def _stacked(label: str, alone: bool = True) -> Calibration:
    return Calibration(
        a=dict.fromkeys(LABELS, 1.0),
        b=dict.fromkeys(LABELS, 0.0),
        c={label: 1.0},
        alone={label: TransformerAlone(a=1.0, b=0.0, threshold=0.5)} if alone else {},
    )


def test_a_stacked_label_the_transformer_alone_reads_below_its_threshold_is_unread() -> None:
    index = LABELS.index("political")
    logits = np.zeros((3, len(LABELS)))
    logits[:, index] = [-3.0, 2.0, -0.5]  # the transformer reads only row 1 as political
    assert unread_by_transformer(logits, _stacked("political")) == [("political",), (), ("political",)]
    assert unread_by_transformer(logits, Calibration(a={}, b={})) == [(), (), ()]
    assert unread_by_transformer(logits, None) == [(), (), ()]


def test_a_bundle_that_stacks_without_the_transformers_own_scaling_is_never_corroborated() -> None:
    logits = np.full((2, len(LABELS)), 5.0)
    assert unread_by_transformer(logits, _stacked("spam", alone=False)) == [("spam",), ("spam",)]


def test_the_transformers_own_scaling_is_for_known_stacked_labels_only() -> None:
    alone = TransformerAlone(a=1.0, b=0.0, threshold=0.5)
    with pytest.raises(ValueError, match="stacked labels only"):
        Calibration(a={}, b={}, alone={"spam": alone})
    with pytest.raises(ValueError, match="does not have"):
        Calibration(a={}, b={}, c={"sarcasm": 1.0})


def test_the_scored_batch_carries_the_stacked_labels_the_transformer_does_not_read() -> None:
    label, index = "political", LABELS.index("political")
    manifest = Manifest(
        kind="onnx-policy",
        name="m",
        model_version="v",
        labels=list(LABELS),
        thresholds=dict.fromkeys(LABELS, 0.5),
        calibration=_stacked(label),
        files={"ngram": "ngram.npz"},
    )
    logits = np.full((2, len(LABELS)), -4.0)
    logits[1, index] = 3.0  # row 0: the head alone; row 1: the transformer too
    head = SimpleNamespace(read=lambda texts: np.where(np.arange(len(LABELS)) == index, 9.0, -9.0)[None].repeat(2, 0))
    encoded = Encoded(np.zeros((2, 1), dtype=np.int64), np.ones((2, 1), dtype=np.int64), ["a", "b"], [[], []])
    intents = np.zeros((2, len(INTENTS)))
    scored = scored_batch(["vote them out", "vote them out!"], encoded, [logits, intents], manifest, ngram_head=head)
    assert all(s.scores[label] > 0.9 for s in scored)
    assert scored[0].uncorroborated == (label,) and scored[1].uncorroborated == ()
    assert _decide(scored[0].uncorroborated, political=scored[0].scores[label]).needs_review


def test_a_recognised_number_the_model_does_not_read_as_personal_is_uncorroborated() -> None:
    text = "the text from 07700 900666 is a scam, dont reply"
    unsure = finalise(text, {"personal_info": 0.2}, "none", pii_threshold=0.5)
    assert unsure.scores["personal_info"] == PII_SPAN_SCORE and "personal_info" in unsure.uncorroborated
    agreed = finalise(text, {"personal_info": 0.7}, "none", pii_threshold=0.5)
    assert agreed.scores["personal_info"] == PII_SPAN_SCORE and not agreed.uncorroborated


def test_stacked_calibration_records_how_the_transformer_alone_reads_each_stacked_label() -> None:
    rng = np.random.default_rng(3)
    y = (rng.random(400) < 0.3).astype(int)
    frame = pd.DataFrame({label: y for label in LABELS} | {f"{label}_known": True for label in LABELS})
    model = np.tile(((2 * y - 1) * 2.0 + rng.normal(0, 1, 400))[:, None], (1, len(LABELS)))
    ngram = np.tile(((2 * y - 1) * 1.0 + rng.normal(0, 1, 400))[:, None], (1, len(LABELS)))
    inputs = {label: ("stack" if label == "hate" else "model") for label in LABELS}
    calibration, _, _ = fit_calibration(model, frame, ngram, inputs)
    assert set(calibration.alone) == {"hate"} and calibration.alone["hate"].a > 0
    assert 0.0 < calibration.alone["hate"].threshold < 1.0


def _clean_and_harmful(n: int = 400) -> tuple[np.ndarray, pd.DataFrame]:
    rng = np.random.default_rng(5)
    y = (rng.random((n, len(LABELS))) < 0.15).astype(int)
    y[: n // 2] = 0  # half the rows carry no label at all
    frame = pd.DataFrame({label: y[:, i] for i, label in enumerate(LABELS)})
    frame = frame.assign(**{f"{label}_known": True for label in LABELS})
    probabilities = np.clip(y * 0.7 + rng.random((n, len(LABELS))) * 0.45, 0, 0.98)
    return probabilities, frame


def _clean_flag_rate(probabilities: np.ndarray, frame: pd.DataFrame, thresholds: dict[str, float]) -> float:
    clean = frame[list(LABELS)].to_numpy().sum(axis=1) == 0
    columns = [LABELS.index(label) for label in HARMFUL_LABELS]
    limits = np.array([thresholds[label] for label in HARMFUL_LABELS])
    return float((probabilities[clean][:, columns] >= limits).any(axis=1).mean())


def test_thresholds_are_raised_until_clean_comments_flagged_are_under_the_cap() -> None:
    probabilities, frame = _clean_and_harmful()
    thresholds = dict.fromkeys(LABELS, 0.4)
    assert _clean_flag_rate(probabilities, frame, thresholds) > 0.05
    capped = cap_clean_flags(probabilities, frame, thresholds, 0.05, log=lambda _: None)
    assert _clean_flag_rate(probabilities, frame, capped) <= 0.05
    assert all(capped[label] >= thresholds[label] for label in LABELS)
    assert capped["needs_response"] == thresholds["needs_response"]  # not a harmful label


def test_thresholds_under_the_cap_are_left_alone() -> None:
    probabilities, frame = _clean_and_harmful()
    thresholds = dict.fromkeys(LABELS, 0.95)
    assert cap_clean_flags(probabilities, frame, thresholds, 0.05, log=lambda _: None) == thresholds
