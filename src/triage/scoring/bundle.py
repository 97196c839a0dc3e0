"""Model bundles: a folder with a manifest.json that says what it holds; the loader checks it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from triage.labels import LABELS

BUNDLE_KINDS = ("onnx-policy", "tfidf-lr")


class BundleError(ValueError):
    """A bundle that cannot be served: missing, incomplete or for other labels."""


class TransformerAlone(BaseModel):
    """A stacked label's Platt scaling and F1 threshold for the transformer's logit alone."""

    a: float
    b: float
    threshold: float


class Calibration(BaseModel):
    """Platt scaling per label: p = sigmoid(a * logit + b), fitted on the validation split; for the
    labels in `c`, stacked with the n-gram head: p = sigmoid(a * logit + c * ngram_logit + b).
    `alone` holds, for stacked labels, how the transformer alone reads them: where the stack flags
    a label that the transformer alone would not, only the head's words raised it."""

    a: dict[str, float]
    b: dict[str, float]
    c: dict[str, float] = Field(default_factory=dict)
    alone: dict[str, TransformerAlone] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _known_labels(self) -> Calibration:
        unknown = (set(self.c) | set(self.alone)) - set(LABELS)
        if unknown:
            raise ValueError(f"calibration names labels the model does not have: {sorted(unknown)}")
        if set(self.alone) - set(self.c):
            raise ValueError("the transformer's own scaling is kept for stacked labels only")
        return self


class Manifest(BaseModel):
    kind: Literal["onnx-policy", "tfidf-lr"]
    name: str
    model_version: str
    labels: list[str]
    thresholds: dict[str, float]
    base_model: str = ""
    training_data_hash: str = ""
    mlflow_run_id: str = ""
    created_at: str = ""
    files: dict[str, str] = Field(default_factory=dict)
    calibration: Calibration | None = None
    metrics: dict[str, float] = Field(default_factory=dict)
    max_length: int = 128
    intents: list[str] = Field(default_factory=list)
    # Which layers were left in fp32 and why (chosen on validation, training/export.py).
    quantisation: dict[str, str | float] = Field(default_factory=dict)
    # Per PII type, where its spans come from: rules, model or both (chosen on validation,
    # training/pii_head.py). Empty: the recognisers alone (a bundle without a PII head).
    pii_sources: dict[str, str] = Field(default_factory=dict)
    # Found PII spans raise personal_info only where the model's own score is at least this
    # (chosen on validation, training/calibration.py); 0: always (bundles from before it).
    pii_span_floor: float = Field(default=0.0, ge=0.0, le=1.0)

    @field_validator("labels")
    @classmethod
    def _same_labels(cls, labels: list[str]) -> list[str]:
        if tuple(labels) != LABELS:
            raise ValueError(f"bundle labels {labels} differ from triage.labels {list(LABELS)}")
        return labels

    @model_validator(mode="after")
    def _stacked_head_present(self) -> Manifest:
        if self.calibration is not None and self.calibration.c and "ngram" not in self.files:
            raise ValueError("the calibration stacks an n-gram head, and the bundle names no ngram file")
        return self


def load_manifest(directory: Path) -> Manifest:
    path = directory / "manifest.json"
    if not path.exists():
        raise BundleError(f"{directory} is not a model bundle: it has no manifest.json")
    try:
        manifest = Manifest.model_validate(json.loads(path.read_text()))
    except (json.JSONDecodeError, ValidationError) as error:
        raise BundleError(f"{path} is not a valid manifest: {error}") from error
    for role, name in manifest.files.items():
        if not (directory / name).exists():
            raise BundleError(f"{directory}: manifest names {role} file {name}, which is missing")
    return manifest


def write_manifest(directory: Path, manifest: Manifest) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "manifest.json").write_text(manifest.model_dump_json(indent=2) + "\n")
