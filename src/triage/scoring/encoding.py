"""What every backend does around its model: the bundle's tokenizer over normalised text, and
per-label Platt scaling of the raw logits into calibrated probabilities."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from tokenizers import Tokenizer

from triage.labels import LABELS
from triage.scoring.bundle import Calibration
from triage.text import normalise


def load_tokenizer(path: Path, max_length: int) -> Tokenizer:
    tokenizer = Tokenizer.from_file(str(path))
    tokenizer.enable_truncation(max_length)
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
    return tokenizer


def encode(tokenizer: Tokenizer, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Token ids and attention mask (int64, padded to the longest) of the normalised texts."""
    encodings = tokenizer.encode_batch([normalise(t) for t in texts])
    ids = np.array([e.ids for e in encodings], dtype=np.int64)
    mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
    return ids, mask


def calibrated(logits: np.ndarray, calibration: Calibration | None) -> np.ndarray:
    """Per-label Platt scaling of raw logits into calibrated probabilities (plain sigmoid without)."""
    if calibration is None:
        plain: np.ndarray = 1.0 / (1.0 + np.exp(-logits))
        return plain
    a = np.array([calibration.a[label] for label in LABELS])
    b = np.array([calibration.b[label] for label in LABELS])
    scaled: np.ndarray = 1.0 / (1.0 + np.exp(-(logits * a + b)))
    return scaled
