"""A torch scorer over the same bundle (its fp16 weights): the reference the int8 ONNX model is
checked against, and the starting point for further training. Serving never needs it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file

from triage.scoring.base import load_ngram_head, scored_batch
from triage.scoring.bundle import BundleError, load_manifest
from triage.scoring.encoding import Encoded, encode_batch, load_tokenizer
from triage.scoring.torch_model import PolicyModel
from triage.types import ScoredText


def load_policy_model(directory: Path) -> PolicyModel:
    manifest = load_manifest(directory)
    if "weights" not in manifest.files:
        raise BundleError(f"{directory} carries no torch weights (manifest files: {sorted(manifest.files)})")
    model = PolicyModel.from_config_dir(directory)
    state = {
        k: v.float() if v.is_floating_point() else v
        for k, v in load_file(str(directory / manifest.files["weights"])).items()
    }
    # A bundle from before the PII head lacks its weights: the head stays untrained and unused.
    missing = model.load_state_dict(state, strict=False).missing_keys
    if any(not key.startswith("pii_head.") for key in missing):
        raise BundleError(f"{directory}: weights lack {sorted(missing)}")
    return model.eval()


class TorchScorer:
    def __init__(self, directory: Path, allowed_contacts: Iterable[str] = ()) -> None:
        self.manifest = load_manifest(directory)
        self.name, self.version = self.manifest.name, self.manifest.model_version + "+torch"
        self.thresholds = dict(self.manifest.thresholds)
        self.allowed_contacts = tuple(allowed_contacts)
        self.model = load_policy_model(directory)
        self.tokenizer = load_tokenizer(directory / self.manifest.files["tokenizer"], self.manifest.max_length)
        self.ngram_head = load_ngram_head(directory, self.manifest)

    @torch.inference_mode()
    def run(self, texts: Sequence[str]) -> tuple[Encoded, list[np.ndarray]]:
        encoded = encode_batch(self.tokenizer, texts)
        outputs = self.model(torch.from_numpy(encoded.ids), torch.from_numpy(encoded.mask))
        return encoded, [output.numpy() for output in outputs]

    def score(self, texts: Sequence[str]) -> list[ScoredText]:
        if not texts:
            return []
        encoded, outputs = self.run(texts)
        return scored_batch(texts, encoded, outputs, self.manifest, self.allowed_contacts, self.ngram_head)
