"""The TF-IDF + logistic regression baseline bundle, as a Scorer."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import joblib
import numpy as np

from triage.labels import LABELS
from triage.scoring.base import DEFAULT_THRESHOLD, finalise
from triage.scoring.bundle import load_manifest
from triage.text import normalise
from triage.types import ScoredText


class TfidfScorer:
    def __init__(self, directory: Path, allowed_contacts: Iterable[str] = ()) -> None:
        self.manifest = load_manifest(directory)
        self.name, self.version = self.manifest.name, self.manifest.model_version
        self.thresholds = dict(self.manifest.thresholds)
        self.allowed_contacts = tuple(allowed_contacts)
        # Our own artefact, written by training.baselines; never load a bundle from elsewhere.
        payload = joblib.load(directory / self.manifest.files["model"])
        self.vectoriser, self.classifiers = payload["vectoriser"], payload["classifiers"]

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        features = self.vectoriser.transform([normalise(t) for t in texts])
        columns = [
            self.classifiers[label].predict_proba(features)[:, 1] if label in self.classifiers else np.zeros(len(texts))
            for label in LABELS
        ]
        return np.stack(columns, axis=1)

    def score(self, texts: Sequence[str]) -> list[ScoredText]:
        if not texts:
            return []
        rows = self.probabilities(texts)
        return [
            finalise(
                text,
                dict(zip(LABELS, map(float, row), strict=True)),
                "none",
                self.allowed_contacts,
                intent_from_model=False,
                pii_threshold=self.thresholds.get("personal_info", DEFAULT_THRESHOLD),
                uncorroborated=LABELS,  # n-grams read words, not meaning: no removal without a person
            )
            for text, row in zip(texts, rows, strict=True)
        ]
