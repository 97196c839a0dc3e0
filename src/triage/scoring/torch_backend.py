"""A torch scorer over the same bundle (its fp16 weights): the reference the int8 ONNX model is
checked against, and the starting point for further training. Serving never needs it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file

from triage.labels import INTENTS, LABELS
from triage.scoring.base import finalise
from triage.scoring.bundle import BundleError, load_manifest
from triage.scoring.encoding import calibrated, encode, load_tokenizer
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
    model.load_state_dict(state)
    return model.eval()


class TorchScorer:
    def __init__(self, directory: Path, allowed_contacts: Iterable[str] = ()) -> None:
        self.manifest = load_manifest(directory)
        self.name, self.version = self.manifest.name, self.manifest.model_version + "+torch"
        self.thresholds = dict(self.manifest.thresholds)
        self.allowed_contacts = tuple(allowed_contacts)
        self.model = load_policy_model(directory)
        self.tokenizer = load_tokenizer(directory / self.manifest.files["tokenizer"], self.manifest.max_length)

    @torch.inference_mode()
    def logits(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        ids, mask = encode(self.tokenizer, texts)
        label_logits, intent_logits = self.model(torch.from_numpy(ids), torch.from_numpy(mask))
        return label_logits.numpy(), intent_logits.numpy()

    def score(self, texts: Sequence[str]) -> list[ScoredText]:
        if not texts:
            return []
        label_logits, intent_logits = self.logits(texts)
        probabilities = calibrated(label_logits, self.manifest.calibration)
        return [
            finalise(text, dict(zip(LABELS, map(float, row), strict=True)), INTENTS[int(i)], self.allowed_contacts)
            for text, row, i in zip(texts, probabilities, intent_logits.argmax(axis=1), strict=True)
        ]
