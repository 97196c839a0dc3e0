"""Micro-batching: concurrent requests' work is done together in a worker thread, waiting at
most a few milliseconds for company. Scoring uses it so throughput under load approaches the
model's batched throughput; recording uses it so one transaction (one commit, one fsync) stores
many comments (group commit). Scoring can run batches on more than one lane (thread) at once
(`TRIAGE_MODEL_LANES`), so a batch can form and run while another is scored."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Generic, TypeVar

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
    ) -> None:
        self.work, self.max_size, self.max_wait, self.lanes = work, max_size, max_wait_ms / 1000, lanes
        self._queue: asyncio.Queue[tuple[In, asyncio.Future[Out]]] = asyncio.Queue()
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

    async def submit(self, item: In) -> Out:
        future: asyncio.Future[Out] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((item, future))
        return await future

    async def _next_batch(self) -> list[tuple[In, asyncio.Future[Out]]]:
        loop = asyncio.get_running_loop()
        batch = [await self._queue.get()]
        deadline = loop.time() + self.max_wait
        while len(batch) < self.max_size:
            while not self._queue.empty() and len(batch) < self.max_size:  # take what is waiting now
                batch.append(self._queue.get_nowait())
            timeout = deadline - loop.time()
            if len(batch) >= self.max_size or timeout <= 0:
                break
            try:
                batch.append(await asyncio.wait_for(self._queue.get(), timeout))
            except TimeoutError:
                break
        return batch

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            async with self._forming:
                batch = await self._next_batch()
            live = [(item, future) for item, future in batch if not future.done()]
            if not live:
                continue
            try:
                results = await loop.run_in_executor(self._executor, self.work, [item for item, _ in live])
                if len(results) != len(live):  # a lane that died on this would strand every later caller
                    raise RuntimeError(f"{name_of(self.work)} gave {len(results)} results for {len(live)} items")
            except Exception as error:  # e.g. the model failed: each waiting request decides fail-safe
                for _, future in live:
                    if not future.done():
                        future.set_exception(error)
                continue
            for (_, future), result in zip(live, results, strict=True):
                if future.done():
                    continue
                if isinstance(result, BaseException):
                    future.set_exception(result)
                else:
                    future.set_result(result)


class MicroBatcher(Batcher[str, ScoreOutcome]):
    """Scores texts in batches with one scorer (kept, so its version is known), fail safe: each
    text gets its scores or the cause the model could not give them."""

    def __init__(self, scorer: Scorer, max_size: int = 32, max_wait_ms: float = 4.0, lanes: int = 1) -> None:
        super().__init__(partial(score_safely, scorer), max_size, max_wait_ms, name="scorer", lanes=lanes)
        self.scorer = scorer
