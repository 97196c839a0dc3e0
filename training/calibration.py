"""Per-label calibration (Platt scaling on the logit) and thresholds, fitted on validation only."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

from triage.evaluation import best_f1_threshold, expected_calibration_error, f1_at_thresholds
from triage.labels import HARMFUL_LABELS, LABELS, mask_column
from triage.scoring.base import PII_SPAN_SCORE
from triage.scoring.bundle import Calibration, TransformerAlone

# Below this many positives a fitted slope is noise (separable synthetic data sends it to infinity
# and every score to 0 or 1): such labels keep the raw sigmoid and a 0.5 threshold.
MIN_POSITIVES = 30


# What a label's calibrated score reads: the transformer's logit alone or with the n-gram head's
# (chosen per label on council dev, training/stacking.py). Never the head alone: it reads words,
# not meaning (negation, counter-speech, a quoted slur), and the transformer must keep its say.
INPUTS = ("model", "stack")


def calibration_inputs(choice: str, model: np.ndarray, ngram: np.ndarray | None) -> np.ndarray:
    """The columns a label's Platt scaling reads, (rows, 1 or 2): model first, then n-gram."""
    columns = {"model": [model], "stack": [model, ngram]}[choice]
    if any(column is None for column in columns):
        raise ValueError(f"calibration input {choice!r} needs the n-gram head's logits")
    return np.stack(columns, axis=1)


def platt_with_threshold(columns: np.ndarray, y: np.ndarray) -> tuple[LogisticRegression, float]:
    """Platt scaling of the columns and the F1-optimal threshold on the scaled scores."""
    model = LogisticRegression(C=1.0).fit(columns, y)
    return model, best_f1_threshold(y, model.predict_proba(columns)[:, 1])


def fit_calibration(
    logits: np.ndarray, val: pd.DataFrame, ngram: np.ndarray | None = None, inputs: dict[str, str] | None = None
) -> tuple[Calibration, dict[str, float], dict[str, float]]:
    """Platt parameters, F1-optimal thresholds on calibrated scores, and the validation ECE after.
    `inputs` says per label what the score reads (default: the model's logit alone)."""
    a, b, c, alone, thresholds, ece = {}, {}, {}, {}, {}, {}
    for index, label in enumerate(LABELS):
        known = val[mask_column(label)].to_numpy()
        y, choice = val.loc[known, label].to_numpy(), (inputs or {}).get(label, "model")
        if len(np.unique(y)) < 2 or y.sum() < MIN_POSITIVES:
            a[label], b[label], thresholds[label] = 1.0, 0.0, 0.5
            ece[label] = (
                expected_calibration_error(y, 1.0 / (1.0 + np.exp(-logits[known, index]))) if len(y) else float("nan")
            )
            continue
        columns = calibration_inputs(choice, logits[known, index], None if ngram is None else ngram[known, index])
        model, thresholds[label] = platt_with_threshold(columns, y)
        a[label], b[label] = float(model.coef_[0, 0]), float(model.intercept_[0])
        if choice == "stack":
            c[label], alone[label] = float(model.coef_[0, 1]), _transformer_alone(logits[known, index], y)
        ece[label] = expected_calibration_error(y, model.predict_proba(columns)[:, 1])
    return Calibration(a=a, b=b, c=c, alone=alone), thresholds, ece


def _transformer_alone(logit: np.ndarray, y: np.ndarray) -> TransformerAlone:
    """How the transformer's logit alone reads a stacked label: where it would not flag what the
    stack flags, only the n-gram head's words raised it (a removal then waits for a person)."""
    model, threshold = platt_with_threshold(logit[:, None], y)
    return TransformerAlone(a=float(model.coef_[0, 0]), b=float(model.intercept_[0]), threshold=threshold)


def cap_clean_flags(
    probabilities: np.ndarray, val: pd.DataFrame, thresholds: dict[str, float], cap: float, log=print
) -> dict[str, float]:
    """Raise harmful labels' thresholds until at most `cap` of the validation rows with no label get
    a harmful flag, each step the one that costs least validation F1 per clean row cleared: the
    seeds call censoring open debate the costliest error (002 s8.3)."""
    known = np.all([val[mask_column(label)].to_numpy() for label in LABELS], axis=0)
    clean = known & (val[list(LABELS)].to_numpy().sum(axis=1) == 0)
    thresholds = dict(thresholds)
    while (rate := _clean_flag_rate(probabilities[clean], thresholds)) > cap:
        steps = [step for label in HARMFUL_LABELS if (step := _next_step(label, probabilities, val, clean, thresholds))]
        if not steps:
            log(f"the cap cannot be reached by thresholds: the flagged clean rows score {PII_SPAN_SCORE} or more")
            break
        cleared = [
            (rate - _clean_flag_rate(probabilities[clean], thresholds | {s.label: s.threshold}), s) for s in steps
        ]
        useful = [(s.cost / gain, s) for gain, s in cleared if gain > 0] or [(s.cost, s) for _, s in cleared]
        step = min(useful, key=lambda pair: pair[0])[1]
        log(
            f"{step.label}: threshold {thresholds[step.label]:.3f} -> {step.threshold:.3f} (validation F1 {-step.cost:+.3f})"
        )
        thresholds[step.label] = step.threshold
    log(f"clean validation rows with a harmful flag: {_clean_flag_rate(probabilities[clean], thresholds):.1%}")
    return thresholds


def thresholds_under_cap(
    val: pd.DataFrame, probabilities: np.ndarray, thresholds: dict[str, float], floor: float, cap: float, log=print
) -> dict[str, float]:
    """`cap_clean_flags` on the probabilities as the scorer serves them (the span floor applied)."""
    from triage.policy.profile import published_contacts

    as_served = served(probabilities, val["text"].tolist(), floor, tuple(published_contacts()))
    return cap_clean_flags(as_served, val, thresholds, cap, log)


def _clean_flag_rate(probabilities: np.ndarray, thresholds: dict[str, float]) -> float:
    columns = [LABELS.index(label) for label in HARMFUL_LABELS]
    limits = np.array([thresholds[label] for label in HARMFUL_LABELS])
    return float((probabilities[:, columns] >= limits).any(axis=1).mean()) if len(probabilities) else 0.0


class Step(NamedTuple):
    label: str
    threshold: float
    cost: float  # validation F1 lost


def _next_step(
    label: str, probabilities: np.ndarray, val: pd.DataFrame, clean: np.ndarray, thresholds: dict[str, float]
) -> Step | None:
    """The label's threshold just above its lowest-scored flagged clean row, and the F1 it costs."""
    column = probabilities[:, LABELS.index(label)]
    flagged = column[clean] >= thresholds[label]
    if not flagged.any() or column[clean][flagged].min() >= PII_SPAN_SCORE:
        return None
    threshold = float(np.nextafter(column[clean][flagged].min(), 1.0))
    known = val[mask_column(label)].to_numpy()
    y = val.loc[known, label].to_numpy()
    before, after = f1_at_thresholds(y, column[known], np.array([thresholds[label], threshold]))
    return Step(label, threshold, float(before - after))


SPAN_FLOORS = (0.0, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5)


def choose_span_floor(
    texts: list[str], personal_info: np.ndarray, y: np.ndarray, threshold: float, allowed_contacts: tuple[str, ...] = ()
) -> float:
    """The lowest model score at which a recognised private detail makes a comment personal_info,
    by validation F1 (ties: the lowest floor). A scam caller's number quoted as a warning carries a
    phone number but is not personal information (guide convention 9): the model can tell."""
    from sklearn.metrics import f1_score

    detail = private_detail(texts, allowed_contacts)
    scores = {}
    for floor in SPAN_FLOORS:
        p = np.where(detail & (personal_info >= floor), PII_SPAN_SCORE, personal_info)
        scores[floor] = f1_score(y, p >= threshold, zero_division=0)
    return max(SPAN_FLOORS, key=lambda floor: (round(scores[floor], 4), -floor))


def private_detail(texts: list[str], allowed_contacts: tuple[str, ...] = ()) -> np.ndarray:
    """Per text, whether the recognisers find a private detail (a name alone is not one)."""
    from triage.scoring.base import has_private_detail
    from triage.scoring.pii import find_pii

    return np.array([has_private_detail(find_pii(text, allowed_contacts)) for text in texts])


def served(probabilities: np.ndarray, texts: list[str], floor: float, allowed: tuple[str, ...] = ()) -> np.ndarray:
    """Calibrated probabilities as the scorer serves them: a recognised private detail raises
    personal_info where the model's score reaches the span floor (triage.scoring.base.finalise)."""
    column = LABELS.index("personal_info")
    out = probabilities.copy()
    boost = private_detail(texts, allowed) & (out[:, column] >= floor)
    out[boost, column] = np.maximum(out[boost, column], PII_SPAN_SCORE)
    return out
