"""The serving scorer: an int8 ONNX model run by ONNX Runtime, with no torch at run time."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import onnxruntime as ort

from triage.scoring.base import ScorerError, load_ngram_head, scored_batch
from triage.scoring.bundle import load_manifest
from triage.scoring.encoding import Encoded, encode_batch, load_tokenizer
from triage.types import ScoredText


class OnnxScorer:
    def __init__(
        self, directory: Path, threads: int = 0, allowed_contacts: Iterable[str] = (), spin: bool = True
    ) -> None:
        self.manifest = load_manifest(directory)
        if self.manifest.kind != "onnx-policy":
            raise ScorerError(f"{directory} holds a {self.manifest.kind} bundle, not an ONNX model")
        self.name, self.version = self.manifest.name, self.manifest.model_version
        self.thresholds = dict(self.manifest.thresholds)
        self.allowed_contacts = tuple(allowed_contacts)
        self.tokenizer = load_tokenizer(directory / self.manifest.files["tokenizer"], self.manifest.max_length)
        self.ngram_head = load_ngram_head(directory, self.manifest)
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.intra_op_num_threads = threads
        # Spinning pool threads answer a dedicated scorer fastest (`triage bench`), but in the web
        # server they burn the cores the event loop and the database need: the server turns it off
        # (TRIAGE_MODEL_SPIN, measured with `triage loadtest`, docs/BENCHMARKS.md).
        options.add_session_config_entry("session.intra_op.allow_spinning", "1" if spin else "0")
        self.session = ort.InferenceSession(
            str(directory / self.manifest.files["model"]), options, providers=["CPUExecutionProvider"]
        )

    def run(self, texts: Sequence[str]) -> tuple[Encoded, list[np.ndarray]]:
        """The encoded batch and the model's outputs: label, intent and (bundles with the head) PII logits."""
        encoded = encode_batch(self.tokenizer, texts)
        return encoded, self.session.run(None, {"input_ids": encoded.ids, "attention_mask": encoded.mask})

    def score(self, texts: Sequence[str]) -> list[ScoredText]:
        if not texts:
            return []
        try:
            encoded, outputs = self.run(texts)
            return scored_batch(texts, encoded, outputs, self.manifest, self.allowed_contacts, self.ngram_head)
        except Exception as error:  # any runtime failure means "could not score", never a guess
            raise ScorerError(f"ONNX model failed: {type(error).__name__}") from error
