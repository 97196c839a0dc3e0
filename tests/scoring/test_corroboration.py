"""Evidence the transformer does not share (the n-gram head's words, a recognised PII pattern the
model does not read as personal information) may flag a comment for a person, never remove it
alone; and thresholds can be held to a cap on clean comments flagged."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tests.conftest import scores
from training.calibration import cap_clean_flags, fit_calibration
from triage.labels import HARMFUL_LABELS, LABELS
from triage.policy import decide, load_profile, shipped_profiles
from triage.scoring.base import PII_SPAN_SCORE, finalise
from triage.scoring.bundle import Calibration, TransformerAlone
from triage.scoring.encoding import flagged_by_stack_only
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


def test_the_stack_alone_flags_what_the_transformer_would_not() -> None:
    label = "political"
    index = LABELS.index(label)
    calibration = Calibration(
        a=dict.fromkeys(LABELS, 1.0),
        b=dict.fromkeys(LABELS, 0.0),
        c={label: 1.0},
        alone={label: TransformerAlone(a=1.0, b=0.0, threshold=0.5)},
    )
    logits = np.zeros((3, len(LABELS)))
    logits[:, index] = [-3.0, 2.0, -3.0]  # the transformer reads rows 1 as political only
    probabilities = np.zeros((3, len(LABELS)))
    probabilities[:, index] = [0.9, 0.9, 0.1]  # the stack flags rows 0 and 1
    thresholds = dict.fromkeys(LABELS, 0.5)
    assert flagged_by_stack_only(logits, calibration, probabilities, thresholds) == [(label,), (), ()]
    assert flagged_by_stack_only(logits, Calibration(a={}, b={}), probabilities, thresholds) == [(), (), ()]


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
