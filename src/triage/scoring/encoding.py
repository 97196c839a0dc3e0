"""What every backend does around its model: the bundle's tokenizer over normalised text, the PII
head's tags read back as spans, and per-label Platt scaling of the raw logits into calibrated
probabilities."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tokenizers import Tokenizer

from triage.labels import LABELS
from triage.scoring.bundle import Calibration
from triage.scoring.pii_tags import predicted_spans
from triage.text import normalise
from triage.types import PiiSpan


def prepare(tokenizer: Tokenizer, max_length: int) -> Tokenizer:
    """Truncate and pad as the model was trained and is served: training and serving both call this."""
    tokenizer.enable_truncation(max_length)
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
    return tokenizer


def load_tokenizer(path: Path, max_length: int) -> Tokenizer:
    return prepare(Tokenizer.from_file(str(path)), max_length)


@dataclass(frozen=True)
class Encoded:
    """A batch as the model reads it, and what is needed to map its tokens back to the texts."""

    ids: np.ndarray  # int64 (batch, sequence), padded to the longest
    mask: np.ndarray
    normalised: list[str]
    offsets: list[list[tuple[int, int]]]  # per token, character offsets in the normalised text


def encode_batch(tokenizer: Tokenizer, texts: Sequence[str]) -> Encoded:
    normalised = [normalise(t) for t in texts]
    encodings = tokenizer.encode_batch(normalised)
    return Encoded(
        ids=np.array([e.ids for e in encodings], dtype=np.int64),
        mask=np.array([e.attention_mask for e in encodings], dtype=np.int64),
        normalised=normalised,
        offsets=[e.offsets for e in encodings],
    )


def encode(tokenizer: Tokenizer, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Token ids and attention mask (int64, padded to the longest) of the normalised texts."""
    encoded = encode_batch(tokenizer, texts)
    return encoded.ids, encoded.mask


def model_spans(texts: Sequence[str], encoded: Encoded, pii_logits: np.ndarray) -> list[list[PiiSpan]]:
    """The PII head's spans per text, on the raw text."""
    tags = pii_logits.argmax(axis=-1)
    return [
        predicted_spans(text, normalised, offsets, row) if row.any() else []
        for text, normalised, offsets, row in zip(texts, encoded.normalised, encoded.offsets, tags, strict=True)
    ]


def calibrated(
    logits: np.ndarray, calibration: Calibration | None, ngram_logits: np.ndarray | None = None
) -> np.ndarray:
    """Per-label Platt scaling of raw logits into calibrated probabilities (plain sigmoid without),
    with the n-gram head's logits as a second input where the calibration stacks them."""
    if calibration is None:
        plain: np.ndarray = 1.0 / (1.0 + np.exp(-logits))
        return plain
    a = np.array([calibration.a[label] for label in LABELS])
    b = np.array([calibration.b[label] for label in LABELS])
    z = logits * a + b
    if calibration.c:
        if ngram_logits is None:
            raise ValueError("this calibration stacks the n-gram head, and no n-gram logits were given")
        z = z + ngram_logits * np.array([calibration.c.get(label, 0.0) for label in LABELS])
    scaled: np.ndarray = 1.0 / (1.0 + np.exp(-z))
    return scaled


def unread_by_transformer(logits: np.ndarray, calibration: Calibration | None) -> list[tuple[str, ...]]:
    """Per row, the stacked labels that the transformer alone reads below its own threshold: if one
    of them fires a profile's rule, only the n-gram head's words raised it that far. A stacked label
    without the transformer's own scaling (bundles before it) counts as unread on every row."""
    rows: list[list[str]] = [[] for _ in range(len(logits))]
    if calibration is None:
        return [() for _ in rows]
    for label in calibration.c:
        index, alone = LABELS.index(label), calibration.alone.get(label)
        if alone is None:
            unread = np.ones(len(logits), dtype=bool)
        else:
            by_transformer = 1.0 / (1.0 + np.exp(-(alone.a * logits[:, index] + alone.b)))
            unread = by_transformer < alone.threshold
        for row in np.flatnonzero(unread):
            rows[row].append(label)
    return [tuple(labels) for labels in rows]
