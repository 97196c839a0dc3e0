"""Micro-batching: concurrent requests' work is done together in a worker thread, waiting at
most a few milliseconds for company. Scoring uses it so throughput under load approaches the
model's batched throughput; recording uses it so one transaction (one commit, one fsync) stores
many comments (group commit). Scoring can run batches on more than one lane (thread) at once
(`TRIAGE_MODEL_LANES`), so a batch can form and run while another is scored."""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, Generic, TypeVar

from triage.scoring.base import Scorer
from triage.service import ScoreOutcome, score_safely

In = TypeVar("In")
Out = TypeVar("Out")


def name_of(work: Callable[..., object]) -> str:
    """A batch's work by name, for error messages (a partial by its function's)."""
    name = getattr(work, "__name__", None) or getattr(getattr(work, "func", None), "__name__", None)
    return str(name or "the batch's work")


class Batcher(Generic[In, Out]):
    """`work` takes the items of one batch and returns one result per item, in order; a result
    that is an exception fails that item's caller alone. If `work` raises, every caller fails.
    `lanes` batches run at once, each on its own thread (so `work` must be thread-safe when more
    than one); a lane takes the next batch as soon as its last one is done."""

    def __init__(
        self,
        work: Callable[[list[In]], Sequence[Out | BaseException]],
        max_size: int,
        max_wait_ms: float,
        name: str,
        lanes: int = 1,
        observe: Callable[[int, float], None] | None = None,
    ) -> None:
        self.work, self.max_size, self.max_wait, self.lanes = work, max_size, max_wait_ms / 1000, lanes
        self.observe = observe  # (items, seconds) of every batch, for the metrics
        self._waiting: deque[tuple[In, asyncio.Future[Out]]] = deque()
        self._wake: asyncio.Future[None] | None = None  # set when `_wanted` items wait
        self._wanted = 1
        self._executor = ThreadPoolExecutor(max_workers=lanes, thread_name_prefix=name)
        self._tasks: list[asyncio.Task[None]] = []
        self._forming = asyncio.Lock()  # one lane gathers a batch at a time, so batches stay full

    def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._tasks = [loop.create_task(self._run()) for _ in range(self.lanes)]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._executor.shutdown(wait=False, cancel_futures=True)

    async def submit(self, item: In, timeout: float | None = None) -> Out:
        """The item's result; TimeoutError after `timeout` seconds (the item is then dropped, or its
        result ignored). A timer, not `asyncio.wait_for`: no task per item on the busiest path."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Out] = loop.create_future()
        self._waiting.append((item, future))
        if self._wake is not None and not self._wake.done() and len(self._waiting) >= self._wanted:
            self._wake.set_result(None)
        if timeout is None:
            return await future
        timer = loop.call_later(timeout, _expire, future)
        try:
            return await future
        finally:
            timer.cancel()

    async def _next_batch(self) -> list[tuple[In, asyncio.Future[Out]]]:
        """Wait for a first item, then for a full batch or `max_wait`, whichever comes first: woken
        once, by the item that fills the batch or by the deadline, not by every item."""
        loop = asyncio.get_running_loop()
        await self._until(1, None)
        if len(self._waiting) < self.max_size:
            await self._until(self.max_size, loop.time() + self.max_wait)
        count = min(len(self._waiting), self.max_size)
        return [self._waiting.popleft() for _ in range(count)]

    async def _until(self, wanted: int, deadline: float | None) -> None:
        """Until `wanted` items wait, or the deadline passes."""
        if len(self._waiting) >= wanted:
            return
        loop = asyncio.get_running_loop()
        self._wanted, self._wake = wanted, loop.create_future()
        timer = None if deadline is None else loop.call_at(deadline, _settle, self._wake)
        try:
            await self._wake
        finally:
            self._wake = None
            if timer is not None:
                timer.cancel()

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            async with self._forming:
                batch = await self._next_batch()
            live = [(item, future) for item, future in batch if not future.done()]
            if not live:
                continue
            started = loop.time()
            try:
                results = await loop.run_in_executor(self._executor, self.work, [item for item, _ in live])
                if len(results) != len(live):  # a lane that died on this would strand every later caller
                    raise RuntimeError(f"{name_of(self.work)} gave {len(results)} results for {len(live)} items")
            except Exception as error:  # e.g. the model failed: each waiting request decides fail-safe
                for _, future in live:
                    if not future.done():
                        future.set_exception(error)
                continue
            finally:
                if self.observe is not None:
                    self.observe(len(live), loop.time() - started)
            for (_, future), result in zip(live, results, strict=True):
                if future.done():
                    continue
                if isinstance(result, BaseException):
                    future.set_exception(result)
                else:
                    future.set_result(result)


def _expire(future: asyncio.Future[Any]) -> None:
    if not future.done():
        future.set_exception(TimeoutError())


def _settle(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class MicroBatcher(Batcher[str, ScoreOutcome]):
    """Scores texts in batches with one scorer (kept, so its version is known), fail safe: each
    text gets its scores or the cause the model could not give them. Its sizes and wait come from
    the settings (`batch_max_size`, `batch_max_wait_ms`), nowhere else."""

    def __init__(
        self,
        scorer: Scorer,
        max_size: int,
        max_wait_ms: float,
        lanes: int = 1,
        observe: Callable[[int, float], None] | None = None,
    ) -> None:
        score = partial(score_safely, scorer)
        super().__init__(score, max_size, max_wait_ms, name="scorer", lanes=lanes, observe=observe)
        self.scorer = scorer
