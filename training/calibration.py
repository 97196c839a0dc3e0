"""Per-label calibration (Platt scaling on the logit) and thresholds, fitted on validation only."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

from triage.evaluation import best_f1_threshold, expected_calibration_error
from triage.labels import LABELS, mask_column
from triage.scoring.bundle import Calibration

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


def fit_calibration(
    logits: np.ndarray, val: pd.DataFrame, ngram: np.ndarray | None = None, inputs: dict[str, str] | None = None
) -> tuple[Calibration, dict[str, float], dict[str, float]]:
    """Platt parameters, F1-optimal thresholds on calibrated scores, and the validation ECE after.
    `inputs` says per label what the score reads (default: the model's logit alone)."""
    a, b, c, thresholds, ece = {}, {}, {}, {}, {}
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
        model = LogisticRegression(C=1.0).fit(columns, y)
        a[label], b[label] = float(model.coef_[0, 0]), float(model.intercept_[0])
        if choice == "stack":
            c[label] = float(model.coef_[0, 1])
        p = model.predict_proba(columns)[:, 1]
        thresholds[label] = best_f1_threshold(y, p)
        ece[label] = expected_calibration_error(y, p)
    return Calibration(a=a, b=b, c=c), thresholds, ece


SPAN_FLOORS = (0.0, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5)


def choose_span_floor(
    texts: list[str], personal_info: np.ndarray, y: np.ndarray, threshold: float, allowed_contacts: tuple[str, ...] = ()
) -> float:
    """The lowest model score at which a recognised private detail makes a comment personal_info,
    by validation F1 (ties: the lowest floor). A scam caller's number quoted as a warning carries a
    phone number but is not personal information (guide convention 9): the model can tell."""
    from sklearn.metrics import f1_score

    from triage.scoring.base import NAME_ONLY_TYPES
    from triage.scoring.pii import find_pii

    detail = np.array([any(s.type not in NAME_ONLY_TYPES for s in find_pii(t, allowed_contacts)) for t in texts])
    scores = {}
    for floor in SPAN_FLOORS:
        p = np.where(detail & (personal_info >= floor), 0.99, personal_info)
        scores[floor] = f1_score(y, p >= threshold, zero_division=0)
    return max(SPAN_FLOORS, key=lambda floor: (round(scores[floor], 4), -floor))
