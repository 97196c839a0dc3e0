"""The load test's in-process baselines: the model scoring the load's own texts with nothing else
on the machine, at its fastest (the ratio's denominator) and as the server runs it."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import typer

from triage.scoring.base import Scorer


def in_process_rate(model: Path, texts: list[str], batch: int = 32, seconds: float = 8.0) -> float:
    """Comments a second the same model scores in-process in batches of the load's own texts (their
    length sets the model's cost): the baseline for the ratio. The faster of one batch at a time on
    every core and two batches side by side on half the cores each, both
    with ONNX Runtime's threads spinning, their fastest alone, though the server turns that off."""
    from triage.config import usable_cores
    from triage.scoring.registry import load_bundle

    half = max(1, usable_cores() // 2)  # each lane half the cores: all of them for the model
    batches = _batches(texts, batch)
    one_at_a_time = _rate(load_bundle(model, spin=True), 1, batches, seconds)
    side_by_side = _rate(load_bundle(model, spin=True, threads=half), 2, batches, seconds)
    typer.echo(f"in-process batched: {one_at_a_time:.1f}/s one batch at a time, {side_by_side:.1f}/s two side by side")
    return max(one_at_a_time, side_by_side)


def served_model_rate(model: Path, texts: list[str], workers: int = 1, seconds: float = 6.0) -> float:
    """Comments a second the model scores alone as the server runs it (its lanes, ONNX Runtime
    threads and batch size, in each of `workers` server processes; here as threads of one
    process): what the server reaches if nothing else needs the cores. Its share of the baseline
    is the most the HTTP ratio can be on this host with these settings."""
    from triage.config import Settings
    from triage.scoring.registry import load_bundle

    settings = Settings()
    threads, size, lanes = settings.model_threads(), settings.batch_max_size, settings.model_lanes * workers
    scorer = load_bundle(model, spin=settings.model_spin, threads=threads)
    rate = _rate(scorer, lanes, _batches(texts, size), seconds)
    typer.echo(
        f"the server's model alone ({lanes} lane(s) of {threads} ONNX Runtime thread(s), batches of {size}): "
        f"{rate:.1f}/s"
    )
    return rate


def _batches(texts: list[str], size: int) -> list[list[str]]:
    return [texts[start : start + size] for start in range(0, max(len(texts) - size, 0) + 1, size)]


def _rate(scorer: Scorer, lanes: int, batches: list[list[str]], seconds: float) -> float:
    """Comments a second `lanes` threads score together, each one batch at a time, in turn."""
    scorer.score(batches[0])
    started = time.perf_counter()

    def lane(first: int) -> int:
        done, turn = 0, first
        while time.perf_counter() - started < seconds:
            done += len(scorer.score(batches[turn % len(batches)]))
            turn += lanes
        return done

    with ThreadPoolExecutor(max_workers=lanes) as pool:
        done = sum(pool.map(lane, range(lanes)))
    return done / (time.perf_counter() - started)
