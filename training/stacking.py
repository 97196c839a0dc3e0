"""Stack the n-gram head with a bundle's transformer: per label, the calibrated score reads the
transformer's logit alone or with the head's, whichever reads council dev best (cross-validated)
without reading its public validation rows worse. Calibration, thresholds and the span floor follow, on
council dev as before. `triage stack` runs it on a trained bundle; `triage train` calls it too."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold

from training.calibration import INPUTS, calibration_inputs, platt_with_threshold
from triage.labels import LABELS, mask_column

# A public validation F1 may fall by at most this for a label to read the n-gram head: the head
# must not buy council dev with the public suites (OLID, TweetEval, HateCheck's own labels).
PUBLIC_TOLERANCE = 0.01
CV_SEEDS = (0, 1, 2)


def cross_validated_f1(columns: np.ndarray, y: np.ndarray, folds: int = 5) -> float:
    """Mean F1 over repeated stratified folds, Platt scaling and threshold fitted on the rest."""
    scores = []
    for seed in CV_SEEDS:
        predicted = np.zeros(len(y), dtype=bool)
        for fit_rows, held_out in StratifiedKFold(folds, shuffle=True, random_state=seed).split(columns, y):
            model, threshold = platt_with_threshold(columns[fit_rows], y[fit_rows])
            predicted[held_out] = model.predict_proba(columns[held_out])[:, 1] >= threshold
        scores.append(f1_score(y, predicted, zero_division=0))
    return float(np.mean(scores))


def transferred_f1(dev: tuple[np.ndarray, np.ndarray], public: tuple[np.ndarray, np.ndarray]) -> float:
    """F1 on public validation rows of the calibration and threshold fitted on council dev."""
    model, threshold = platt_with_threshold(*dev)
    columns, y = public
    return float(f1_score(y, model.predict_proba(columns)[:, 1] >= threshold, zero_division=0))


def choose_inputs(logits: dict[str, np.ndarray], dev: pd.DataFrame, public: pd.DataFrame, log=print) -> dict[str, str]:
    """Per label, what its calibrated score reads. `logits` holds "model"/"ngram" for dev rows and
    "public_model"/"public_ngram" for public validation rows."""
    chosen = {}
    for index, label in enumerate(LABELS):
        known, public_known = dev[mask_column(label)].to_numpy(), public[mask_column(label)].to_numpy()
        y, y_public = dev.loc[known, label].to_numpy(), public.loc[public_known, label].to_numpy()
        if y.sum() < 10 or len(np.unique(y)) < 2:
            chosen[label] = "model"
            continue
        scores = {}
        for choice in INPUTS:
            columns = calibration_inputs(choice, logits["model"][known, index], logits["ngram"][known, index])
            public_columns = calibration_inputs(
                choice, logits["public_model"][public_known, index], logits["public_ngram"][public_known, index]
            )
            council = cross_validated_f1(columns, y)
            transfer = transferred_f1((columns, y), (public_columns, y_public)) if y_public.sum() else float("nan")
            scores[choice] = (council, transfer)
        chosen[label] = _best(scores)
        log(
            f"{label}: "
            + ", ".join(f"{c} dev {s[0]:.3f} public {s[1]:.3f}" for c, s in scores.items())
            + f" -> {chosen[label]}"
        )
    return chosen


def _best(scores: dict[str, tuple[float, float]]) -> str:
    """The best council dev F1 among inputs whose public F1 holds; the model alone on a tie."""
    floor = scores["model"][1] - PUBLIC_TOLERANCE
    allowed = [c for c in INPUTS if c == "model" or not scores[c][1] < floor]
    return max(allowed, key=lambda choice: (round(scores[choice][0], 3), choice == "model"))
