"""Fitting: the masked loss ignores unknown labels; a stopped run resumes from its checkpoint."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import torch

from training.config import TrainConfig
from training.fit import fit, masked_loss, sampling_weights
from triage.data import rows_to_frame

ROOT = Path(__file__).resolve().parents[2]


def test_unknown_labels_do_not_count_as_negatives() -> None:
    logits = torch.tensor([[5.0, 5.0]])
    targets = torch.tensor([[1.0, 0.0]])
    only_first_known = masked_loss(logits, targets, torch.tensor([[1.0, 0.0]]))
    both_known = masked_loss(logits, targets, torch.tensor([[1.0, 1.0]]))
    assert only_first_known < 0.01 < both_known


def test_small_sources_are_drawn_more_often_per_row() -> None:
    rows = [
        {"text": f"t{i}", "source": "big" if i < 90 else "small", "split": "train", "labels": {}, "synthetic": False}
        for i in range(100)
    ]
    frame = rows_to_frame(rows)
    config = TrainConfig(name="x", base_model="tiny-random", source_alpha=0.5)
    weights = sampling_weights(frame, config)
    assert weights[95] > weights[5] * 2  # per row; per source big still gets more in all (sqrt)
    assert weights[:90].sum() > weights[90:].sum()


def _rows() -> pd.DataFrame:
    rows = [
        {
            "text": f"comment {i} {'idiot' if i % 2 else 'thanks'}",
            "source": "s",
            "split": "train",
            "labels": {"abuse": i % 2},
            "synthetic": False,
            "intent": "none",
        }
        for i in range(64)
    ]
    return rows_to_frame(rows)


def test_a_stopped_run_resumes_where_it_stopped(tmp_path: Path) -> None:
    config = replace(
        TrainConfig.load(ROOT / "training/configs/tiny.toml"), checkpoint_every=100, train_samples=64, batch_size=16
    )
    uninterrupted = fit(config, _rows(), tmp_path / "a", device="cpu", log=lambda _: None)
    fit(config, _rows(), tmp_path / "b", device="cpu", log=lambda _: None, stop_after=2)  # killed after 2 of 4 steps
    messages: list[str] = []
    resumed = fit(config, _rows(), tmp_path / "b", device="cpu", log=messages.append)
    assert any("resumed from step 2" in m for m in messages)
    for (name, a), (_, b) in zip(uninterrupted.state_dict().items(), resumed.state_dict().items(), strict=True):
        assert torch.allclose(a, b, atol=1e-6), name
