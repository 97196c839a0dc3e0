"""Baselines measured beside the policy model: TF-IDF + logistic regression, and profanity-check."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion

from triage.data import table_hash
from triage.evaluation import best_f1_threshold
from triage.labels import LABELS, mask_column
from triage.scoring.base import finalise
from triage.scoring.bundle import Manifest, write_manifest
from triage.text import normalise
from triage.types import ScoredText

TFIDF_DIR = Path("models/baselines/tfidf-lr")


def _vectoriser() -> FeatureUnion:
    """Word and character n-gram TF-IDF."""
    words = TfidfVectorizer(ngram_range=(1, 2), min_df=2, max_features=150_000, sublinear_tf=True)
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=3, max_features=150_000, sublinear_tf=True)
    return FeatureUnion([("word", words), ("char", chars)])


def train_tfidf(table: pd.DataFrame, output: Path = TFIDF_DIR, log=print) -> Path:
    """Word and character n-gram TF-IDF, one logistic regression per label on its known rows."""
    started = time.perf_counter()
    train, val = table[table["split"] == "train"], table[table["split"] == "val"]
    vectoriser = _vectoriser()
    features = vectoriser.fit_transform(train["text"].map(normalise))
    val_features = vectoriser.transform(val["text"].map(normalise))
    classifiers, thresholds = {}, {}
    for label in LABELS:
        known = train[mask_column(label)].to_numpy()
        y = train.loc[known, label].to_numpy()
        if len(np.unique(y)) < 2:
            log(f"tfidf-lr: {label} has one class in training, left at zero")
            continue
        classifiers[label] = LogisticRegression(C=4.0, max_iter=2000, class_weight="balanced").fit(features[known], y)
        val_known = val[mask_column(label)].to_numpy()
        p = classifiers[label].predict_proba(val_features[val_known])[:, 1]
        thresholds[label] = best_f1_threshold(val.loc[val_known, label].to_numpy(), p)
        log(f"tfidf-lr: {label} trained on {known.sum()} rows, threshold {thresholds[label]:.3f}")
    output.mkdir(parents=True, exist_ok=True)
    joblib.dump({"vectoriser": vectoriser, "classifiers": classifiers}, output / "model.joblib", compress=3)
    write_manifest(output, _manifest(table, thresholds))
    log(f"tfidf-lr: done in {time.perf_counter() - started:.0f}s")
    return output


def _manifest(table: pd.DataFrame, thresholds: dict[str, float]) -> Manifest:
    return Manifest(
        kind="tfidf-lr",
        name="tfidf-lr",
        model_version=f"tfidf-lr-{table_hash(table)}",
        labels=list(LABELS),
        thresholds={label: thresholds.get(label, 1.0) for label in LABELS},
        training_data_hash=table_hash(table),
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        files={"model": "model.joblib"},
    )


class ProfanityCheckScorer:
    """alt-profanity-check (a linear SVM on word features) as the abuse/obscene scorer a council
    might otherwise pick; it has no opinion on the other labels, which score 0."""

    name = "profanity-check"
    version = "alt-profanity-check"
    thresholds = dict.fromkeys(LABELS, 0.5)

    def score(self, texts: Sequence[str]) -> list[ScoredText]:
        from profanity_check import predict_prob

        if not texts:
            return []
        probabilities = predict_prob(list(texts))
        return [
            finalise(text, {"abuse": float(p), "obscene": float(p)}, "none", intent_from_model=False)
            for text, p in zip(texts, probabilities, strict=True)
        ]
