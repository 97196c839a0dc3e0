"""Training configuration, read from a TOML file in training/configs/."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path


@dataclass(frozen=True)
class TrainConfig:
    name: str
    base_model: str
    table: str = "data/build/table.parquet"
    seed: int = 13
    max_length: int = 128
    batch_size: int = 64
    epochs: int = 3
    learning_rate: float = 5e-5
    weight_decay: float = 0.01
    warmup_ratio: float = 0.06
    source_alpha: float = 0.5
    intent_loss_weight: float = 0.5
    source_weights: dict[str, float] = field(default_factory=dict)
    train_samples: int | None = None  # rows drawn in all; overrides epochs when set
    max_train_rows: int | None = None
    max_eval_rows: int | None = None
    decisions_weight: float = 2.0
    checkpoint_every: int = 500
    # The PII token head (training/pii_head.py): rows without spans drawn as negatives, and epochs.
    pii_negatives: int = 2000
    pii_epochs: int = 10
    # Start from these fine-tuned weights (a bundle's weights.fp16.safetensors) instead of the base
    # model: a continued fit that keeps what the public data taught and adds a new domain.
    init_weights: str | None = None
    # Calibrate and choose thresholds on this source's validation rows only (the council dev split):
    # the thresholds are the product's, so they are set where the product is used.
    calibration_source: str | None = None
    # Fit the n-gram head and stack it at calibration (training/stacking.py); a full-table TF-IDF
    # fit, so tiny test configs leave it off.
    ngram_head: bool = False
    # At most this share of the calibration rows with no label may get a harmful flag: thresholds
    # are raised, cheapest F1 first, past it (training/calibration.py). None keeps F1's thresholds.
    clean_flag_cap: float | None = None

    @classmethod
    def load(cls, path: Path) -> TrainConfig:
        try:
            raw = tomllib.loads(path.read_text())
        except FileNotFoundError:
            raise FileNotFoundError(f"training config {path} not found: see training/configs/") from None
        known = {f.name for f in fields(cls)}
        unknown = set(raw) - known
        if unknown:
            raise ValueError(f"{path}: unknown keys {sorted(unknown)}; allowed: {sorted(known)}")
        return cls(**raw)
