"""Fit the bundle's n-gram head (triage.scoring.ngram) on the training split: one logistic
regression per label on its known rows, the written council corpus weighted as the fit weights it."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

from triage.labels import LABELS, mask_column
from triage.scoring.ngram import NgramHead, vectorisers
from triage.text import normalise


def row_weights(train: pd.DataFrame, source_weights: dict[str, float]) -> np.ndarray:
    return train["source"].map(lambda source: source_weights.get(source, 1.0)).to_numpy(dtype=float)


def fit_ngram_head(table: pd.DataFrame, source_weights: dict[str, float], C: float = 4.0, log=print) -> NgramHead:
    started = time.perf_counter()
    train = table[table["split"] == "train"].reset_index(drop=True)
    texts = train["text"].map(normalise).tolist()
    parts = vectorisers()
    features = sp.hstack([part.fit_transform(texts) for part in parts.values()]).tocsr()
    weights = row_weights(train, source_weights)
    coef = np.zeros((len(LABELS), features.shape[1]), dtype=np.float32)
    intercept = np.zeros(len(LABELS), dtype=np.float32)
    for index, label in enumerate(LABELS):
        known = train[mask_column(label)].to_numpy()
        y = train.loc[known, label].to_numpy()
        if len(np.unique(y)) < 2:
            log(f"n-gram head: {label} has one class in training, left at zero")
            continue
        model = LogisticRegression(C=C, max_iter=2000, class_weight="balanced")
        model.fit(features[known], y, sample_weight=weights[known])
        coef[index], intercept[index] = model.coef_[0], model.intercept_[0]
        log(f"n-gram head: {label} on {known.sum()} rows ({time.perf_counter() - started:.0f}s)")
    return NgramHead(parts, coef, intercept)
