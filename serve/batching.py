"""Micro-batching: concurrent requests are scored together, waiting at most a few milliseconds,
so throughput under load approaches the model's batched throughput."""

from __future__ import annotations

import asyncio
import contextlib
from concurrent.futures import ThreadPoolExecutor

from triage.scoring.base import Scorer
from triage.types import ScoredText


class MicroBatcher:
    def __init__(self, scorer: Scorer, max_size: int = 32, max_wait_ms: float = 4.0) -> None:
        self.scorer, self.max_size, self.max_wait = scorer, max_size, max_wait_ms / 1000
        self._queue: asyncio.Queue[tuple[str, asyncio.Future[ScoredText]]] = asyncio.Queue()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="scorer")
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._executor.shutdown(wait=False, cancel_futures=True)

    async def score(self, text: str) -> ScoredText:
        future: asyncio.Future[ScoredText] = asyncio.get_running_loop().create_future()
        await self._queue.put((text, future))
        return await future

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            batch = [await self._queue.get()]
            deadline = loop.time() + self.max_wait
            while len(batch) < self.max_size:
                timeout = deadline - loop.time()
                if timeout <= 0:
                    break
                try:
                    batch.append(await asyncio.wait_for(self._queue.get(), timeout))
                except TimeoutError:
                    break
            live = [(text, future) for text, future in batch if not future.done()]
            if not live:
                continue
            try:
                results = await loop.run_in_executor(self._executor, self.scorer.score, [text for text, _ in live])
            except Exception as error:  # the model failed: each waiting request decides fail-safe
                for _, future in live:
                    if not future.done():
                        future.set_exception(error)
                continue
            for (_, future), result in zip(live, results, strict=True):
                if not future.done():
                    future.set_result(result)
