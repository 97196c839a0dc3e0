"""The policy model in torch: a transformer backbone, mean pooling, a multi-label head over the
eight labels and a softmax head over the intents. Used by training, export and the torch scorer.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path

import torch
from torch import nn
from transformers import AutoConfig, AutoModel

from triage.labels import INTENTS, LABELS


def resolve_base_model(name: str) -> str:
    """`package:NAME` is a pip package carrying its weights in NAME/model; else a path or hub name."""
    if name.startswith("package:"):
        return str(importlib.resources.files(name.removeprefix("package:")) / "model")
    return name


class PolicyModel(nn.Module):
    def __init__(self, backbone: nn.Module, hidden_size: int, dropout: float = 0.1) -> None:
        super().__init__()
        self.backbone = backbone
        self.dropout = nn.Dropout(dropout)
        self.label_head = nn.Linear(hidden_size, len(LABELS))
        self.intent_head = nn.Linear(hidden_size, len(INTENTS))

    @classmethod
    def from_base(cls, base_model: str, dropout: float = 0.1) -> PolicyModel:
        backbone = AutoModel.from_pretrained(resolve_base_model(base_model))
        return cls(backbone, backbone.config.hidden_size, dropout)

    @classmethod
    def from_config_dir(cls, directory: Path) -> PolicyModel:
        """An untrained model shaped like the one whose config.json lies in `directory`."""
        config = AutoConfig.from_pretrained(str(directory))
        backbone = AutoModel.from_config(config)  # type: ignore[no-untyped-call]
        return cls(backbone, config.hidden_size)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        hidden = self.backbone(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)
        pooled = self.dropout(pooled)
        return self.label_head(pooled), self.intent_head(pooled)
