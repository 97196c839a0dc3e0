"""The load test's in-process rates: the model as the server runs it, with the server's settings."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from triage_cli.load_baseline import served_model_rate

BUNDLE = Path("models/baselines/tfidf-lr")  # small and quick to load
TEXTS = [f"When is the green bin collected on Mill Road? #{n}" for n in range(64)]


def test_the_servers_model_alone_is_measured_with_its_processes_lanes_threads_and_batches(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TRIAGE_MODEL_LANES", "2")
    monkeypatch.setenv("TRIAGE_BATCH_MAX_SIZE", "8")
    rate = served_model_rate(BUNDLE, TEXTS, workers=2, seconds=0.3)
    assert math.isfinite(rate) and rate > 0
    printed = capsys.readouterr().out
    assert "4 lane(s)" in printed and "batches of 8" in printed  # 2 lanes in each of 2 server processes
