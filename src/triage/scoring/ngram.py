"""The n-gram head: word and character TF-IDF with a linear layer per label, stacked with the
transformer's logits at calibration (sigmoid(a * model + c * ngram + b), fitted on council dev).

Written council threats and slurs are often carried by a handful of words and masked spellings
that a 30,000-draw fine-tune only half learns and a character n-gram reads directly (council dev,
`training/ngram_head.py`). Stored as plain arrays (no pickle): a bundle is data, never code."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer

from triage.labels import LABELS
from triage.text import normalise

# One definition of the features, for training and serving.
WORD = {"analyzer": "word", "ngram_range": (1, 2), "sublinear_tf": True, "dtype": np.float32}
CHAR = {"analyzer": "char_wb", "ngram_range": (2, 5), "sublinear_tf": True, "dtype": np.float32}


def vectorisers(min_df_word: int = 2, min_df_char: int = 3, max_features: int = 100_000) -> dict[str, TfidfVectorizer]:
    """Fresh, unfitted vectorisers for training."""
    return {
        "word": TfidfVectorizer(min_df=min_df_word, max_features=max_features, **WORD),
        "char": TfidfVectorizer(min_df=min_df_char, max_features=max_features, **CHAR),
    }


def _fitted(kind: str, terms: np.ndarray, idf: np.ndarray) -> TfidfVectorizer:
    params = WORD if kind == "word" else CHAR
    vectoriser = TfidfVectorizer(vocabulary={str(t): i for i, t in enumerate(terms)}, **params)
    vectoriser.idf_ = idf
    return vectoriser


class NgramHead:
    """Raw per-label logits (batch, labels) from the n-gram features of normalised text."""

    def __init__(self, parts: dict[str, TfidfVectorizer], coef: np.ndarray, intercept: np.ndarray) -> None:
        self.parts, self.intercept = parts, intercept.astype(np.float32)
        # Each part's weights as one contiguous (features, labels) block: a column slice of `coef`
        # would be copied on every call (measured: most of a one-comment call's time).
        self.weights, offset = {}, 0
        for name in ("word", "char"):
            width = len(parts[name].vocabulary_)
            self.weights[name] = np.ascontiguousarray(coef[:, offset : offset + width].T, dtype=np.float32)
            offset += width

    @property
    def coef(self) -> np.ndarray:
        """(labels, features): word features first, then character features."""
        return np.concatenate([weights.T for weights in self.weights.values()], axis=1)

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        return self.read([normalise(t) for t in texts])

    def read(self, normalised: Sequence[str]) -> np.ndarray:
        """Logits of texts already normalised (`triage.text.normalise`, as the tokenizer reads them)."""
        scores = np.tile(self.intercept, (len(normalised), 1))
        # The vectorisers are our own, fitted: sklearn's per-call input checks are most of a small
        # batch's time (profiled), and the serving batcher sends small batches.
        with sklearn.config_context(assume_finite=True, skip_parameter_validation=True):
            for name, weights in self.weights.items():
                scores += self.parts[name].transform(normalised) @ weights
        return np.asarray(scores)

    def save(self, path: Path) -> None:
        arrays: dict[str, np.ndarray] = {"coef": self.coef, "intercept": self.intercept}
        for name, part in self.parts.items():
            terms = sorted(part.vocabulary_, key=part.vocabulary_.__getitem__)
            arrays |= {f"{name}_terms": np.array(terms), f"{name}_idf": part.idf_.astype(np.float32)}
        np.savez_compressed(path, allow_pickle=False, **arrays)

    @classmethod
    def load(cls, path: Path) -> NgramHead:
        with np.load(path, allow_pickle=False) as arrays:
            parts = {name: _fitted(name, arrays[f"{name}_terms"], arrays[f"{name}_idf"]) for name in ("word", "char")}
            coef, intercept = arrays["coef"], arrays["intercept"]
        if coef.shape[0] != len(LABELS) or intercept.shape != (len(LABELS),):
            raise ValueError(f"{path}: n-gram head for {coef.shape[0]} labels, not {len(LABELS)}")
        return cls(parts, coef, intercept)
