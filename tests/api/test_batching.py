"""Micro-batching on several lanes: every caller gets its own item's result, batches run side by
side, and a failing or hanging batch fails its own callers safe while the other lane goes on."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator, Sequence

import pytest

from serve.batching import Batcher, MicroBatcher
from tests.api.conftest import Api, make_api
from tests.conftest import FakeScorer
from triage.types import ScoredText


def run_batcher(batcher: Batcher[int, int], items: list[int]) -> list[int | BaseException]:
    async def submit_all() -> list[int | BaseException]:
        batcher.start()
        try:
            return await asyncio.gather(*(batcher.submit(i) for i in items), return_exceptions=True)
        finally:
            await batcher.stop()

    return asyncio.run(submit_all())


def test_two_lanes_run_batches_side_by_side_and_answer_each_caller() -> None:
    both_running = threading.Barrier(2, timeout=10)  # broken unless two batches are in work at once
    batches: list[list[int]] = []

    def work(items: list[int]) -> list[int]:
        batches.append(items)
        if len(batches) <= 2:
            both_running.wait()
        return [item * 10 for item in items]

    items = list(range(40))
    results = run_batcher(Batcher(work, max_size=4, max_wait_ms=5, name="test", lanes=2), items)
    assert results == [item * 10 for item in items]
    assert all(len(batch) <= 4 for batch in batches) and sorted(i for b in batches for i in b) == items


def test_one_lane_runs_one_batch_at_a_time() -> None:  # the recorder's group commit relies on it
    running, most = 0, 0
    lock = threading.Lock()

    def work(items: list[int]) -> list[int]:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        threading.Event().wait(0.01)
        with lock:
            running -= 1
        return items

    assert run_batcher(Batcher(work, max_size=2, max_wait_ms=1, name="test"), list(range(8))) == list(range(8))
    assert most == 1


def test_a_failing_batch_fails_its_own_callers_only() -> None:
    def work(items: list[int]) -> Sequence[int | BaseException]:
        if 13 in items:
            raise RuntimeError("the model failed")
        return [ValueError(item) if item == 7 else item for item in items]

    results = run_batcher(Batcher(work, max_size=4, max_wait_ms=5, name="test", lanes=2), list(range(20)))
    failed_batch = next(start for start in range(0, 20, 4) if 13 in range(start, start + 4))
    for item, result in enumerate(results):
        if failed_batch <= item < failed_batch + 4:
            assert isinstance(result, RuntimeError)
        elif item == 7:
            assert isinstance(result, ValueError)
        else:
            assert result == item


def test_a_model_error_on_either_lane_is_a_failed_outcome() -> None:
    async def score_all() -> list[object]:
        batcher = MicroBatcher(FakeScorer(fail=True), max_size=2, max_wait_ms=1, lanes=2)
        batcher.start()
        try:
            return await asyncio.gather(*(batcher.submit(f"text {i}") for i in range(6)))
        finally:
            await batcher.stop()

    outcomes = asyncio.run(score_all())
    assert all(o.scored is None and "model error" in o.failure for o in outcomes)  # type: ignore[attr-defined]


class HangingScorer(FakeScorer):
    """Hangs on any batch with 'hang' in it until released; scores everything else at once."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def score(self, texts: Sequence[str]) -> list[ScoredText]:
        if any("hang" in text for text in texts):
            self.release.wait(30)
        return super().score(texts)


@pytest.fixture
def hanging_api(database_url: str) -> Iterator[tuple[Api, HangingScorer]]:
    scorer = HangingScorer()
    apis = make_api(database_url, scorer, model_timeout_s=0.5, model_lanes=2)
    yield next(apis), scorer
    scorer.release.set()
    next(apis, None)


def test_a_hanging_batch_times_out_safe_and_the_other_lane_goes_on(hanging_api: tuple[Api, HangingScorer]) -> None:
    api, _ = hanging_api
    hung = api.post("please hang", "h1").json()
    assert hung["action"] == "refer" and hung["review_causes"] == ["model_unavailable"] and hung["scores"] is None
    scored = api.post("you idiot", "h2").json()  # the first lane is still stuck: the second scores it
    assert scored["scores"] is not None and scored["scores"]["abuse"] > 0.5


def test_work_that_returns_the_wrong_number_of_results_fails_its_callers_and_the_lane_lives_on() -> None:
    calls: list[int] = []

    def work(items: list[int]) -> list[int]:
        calls.append(len(items))
        return [] if len(calls) == 1 else [item * 2 for item in items]

    async def scenario() -> int:
        batcher: Batcher[int, int] = Batcher(work, max_size=4, max_wait_ms=1, name="test")
        batcher.start()
        try:
            with pytest.raises(RuntimeError, match="0 results for 1 items"):
                await asyncio.wait_for(batcher.submit(1), 2)
            return await asyncio.wait_for(batcher.submit(3), 2)
        finally:
            await batcher.stop()

    assert asyncio.run(scenario()) == 6


def test_a_full_batch_goes_at_once_and_a_part_batch_at_the_deadline() -> None:
    batches: list[list[int]] = []

    def work(items: list[int]) -> list[int]:
        batches.append(items)
        return items

    # A wait of a minute: only a full batch can have gone before the test's own timeout.
    assert run_batcher(Batcher(work, max_size=4, max_wait_ms=60_000, name="test"), list(range(8))) == list(range(8))
    assert batches == [[0, 1, 2, 3], [4, 5, 6, 7]]
    batches.clear()
    assert run_batcher(Batcher(work, max_size=100, max_wait_ms=20, name="test"), [1, 2, 3]) == [1, 2, 3]
    assert batches == [[1, 2, 3]]


def test_an_item_past_its_timeout_fails_alone_and_its_late_result_is_dropped() -> None:
    release = threading.Event()

    def work(items: list[int]) -> list[int]:
        if 0 in items:
            release.wait(5)  # the first batch hangs past the caller's timeout
        return [item * 10 for item in items]

    async def scenario() -> tuple[BaseException | int, int]:
        batcher = Batcher(work, max_size=1, max_wait_ms=1, name="test", lanes=2)
        batcher.start()
        try:
            late = await asyncio.gather(batcher.submit(0, timeout=0.05), return_exceptions=True)
            on_time = await batcher.submit(1, timeout=5)
            release.set()
            return late[0], on_time
        finally:
            await batcher.stop()

    late, on_time = asyncio.run(scenario())
    assert isinstance(late, TimeoutError) and on_time == 10


def test_every_batch_is_counted_in_the_metrics_for_its_batcher(api: Api) -> None:
    for n in range(3):
        assert api.post("When is bin day?", f"metrics-{n}").status_code == 200
    registry = api.client.app.state.triage.metrics.registry  # type: ignore[attr-defined]
    for batcher in ("scorer", "recorder"):
        labels = {"batcher": batcher}
        assert registry.get_sample_value("triage_batch_items_sum", labels) == 3  # one comment a batch here
        assert registry.get_sample_value("triage_batch_items_count", labels) == 3
        assert registry.get_sample_value("triage_batch_seconds_sum", labels) > 0
