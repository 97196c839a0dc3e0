"""Metrics shared by training, the evaluation suites, tests and notebooks."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.metrics import average_precision_score, f1_score, precision_recall_fscore_support, roc_auc_score


def expected_calibration_error(y: np.ndarray, p: np.ndarray, bins: int = 10) -> float:
    """Mean gap between confidence and frequency over equal-width probability bins, by weight."""
    y, p = np.asarray(y, dtype=float), np.asarray(p, dtype=float)
    if len(y) == 0:
        return float("nan")
    edges = np.linspace(0.0, 1.0, bins + 1)
    index = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    error = 0.0
    for b in range(bins):
        chosen = index == b
        if chosen.any():
            error += chosen.mean() * abs(p[chosen].mean() - y[chosen].mean())
    return float(error)


def f1_at_thresholds(y: np.ndarray, p: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """F1 of `p >= t` for every t at once (0 where nothing is predicted or positive), from sorted
    scores: the same figures as sklearn's f1_score, without a pass over the data per threshold."""
    order = np.argsort(p, kind="stable")
    sorted_p, positives_below = p[order], np.concatenate([[0], np.cumsum(np.asarray(y)[order] > 0)])
    below = np.searchsorted(sorted_p, thresholds, side="left")  # rows with p < t
    true_positive = positives_below[-1] - positives_below[below]
    predicted = len(p) - below
    denominator = predicted + positives_below[-1]
    f1: np.ndarray = np.where(denominator > 0, 2 * true_positive / np.maximum(denominator, 1), 0.0)
    return f1


def best_f1_threshold(y: np.ndarray, p: np.ndarray) -> float:
    """The threshold that maximises F1 on (validation) data: the stated objective for thresholds.
    Where a range of thresholds ties (separable data), the middle of that range, not its edge."""
    y, p = np.asarray(y), np.asarray(p)
    if y.sum() == 0:
        return 0.5
    candidates = np.unique(np.round(p, 4))
    if len(candidates) > 400:
        candidates = np.unique(np.quantile(p, np.linspace(0.0, 1.0, 401)))
    scores = f1_at_thresholds(y, p, candidates)
    best = int(np.argmax(scores))
    end = best
    while end + 1 < len(candidates) and scores[end + 1] >= scores[best] - 1e-9:
        end += 1
    # Every threshold in (candidates[best - 1], candidates[end]] gives the best F1: take the middle.
    low = candidates[best - 1] if best > 0 else 0.0
    return float((low + candidates[end]) / 2)


def binary_metrics(y: Sequence[int], p: Sequence[float], threshold: float) -> dict[str, float]:
    """Precision, recall, F1 at the threshold, ROC-AUC, PR-AUC and calibration error."""
    y_arr, p_arr = np.asarray(y, dtype=int), np.asarray(p, dtype=float)
    predicted = p_arr >= threshold
    precision, recall, f1, _ = precision_recall_fscore_support(y_arr, predicted, average="binary", zero_division=0)
    both_classes = 0 < y_arr.sum() < len(y_arr)
    return {
        "n": len(y_arr),
        "positives": int(y_arr.sum()),
        "precision": float(precision),
        "recall": float(recall),
        "f1": float(f1),
        "roc_auc": float(roc_auc_score(y_arr, p_arr)) if both_classes else float("nan"),
        "pr_auc": float(average_precision_score(y_arr, p_arr)) if both_classes else float("nan"),
        "ece": expected_calibration_error(y_arr, p_arr),
        "threshold": float(threshold),
    }


def macro_f1(y: Sequence[int], predicted: Sequence[bool]) -> float:
    """Macro-F1 over the two classes, as TweetEval and OffensEval report it."""
    return float(f1_score(np.asarray(y, dtype=int), np.asarray(predicted, dtype=int), average="macro", zero_division=0))


def span_scores(
    gold: Sequence[Sequence[tuple[int, int, str]]],
    predicted: Sequence[Sequence[tuple[int, int, str]]],
    typed: bool = True,
) -> dict[str, float]:
    """Exact-match span precision, recall and F1; untyped ignores the span's type."""
    tp = fp = fn = 0
    for gold_spans, pred_spans in zip(gold, predicted, strict=True):
        g = {(s, e, t if typed else "") for s, e, t in gold_spans}
        p = {(s, e, t if typed else "") for s, e, t in pred_spans}
        tp, fp, fn = tp + len(g & p), fp + len(p - g), fn + len(g - p)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "gold_spans": tp + fn}
