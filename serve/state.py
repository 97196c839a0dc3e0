"""What the running app holds, and the wiring of ingest onto batchers: scoring micro-batched,
recording group-committed, both through the library's `Triage` command."""

from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from serve.batching import Batcher, MicroBatcher
from serve.metrics import Metrics
from serve.security import KeyCache, RateLimiter
from triage.config import Settings
from triage.scoring.base import Scorer
from triage.service import IncomingComment, Profiles, ScoreOutcome, Triage, TriageResult, load_scorer
from triage.service.model_process import ProcessScorer, close_scorer
from triage.service.scoring import NOT_LOADED, TIMED_OUT
from triage.shared_state import ApiRateLimit, SignInThrottle, make_key_store
from triage.storage.db import Database

log = logging.getLogger("triage.serve")
Scored = tuple[IncomingComment, ScoreOutcome]


def load_served_scorer(settings: Settings) -> Scorer:
    """The bundle from disk, with ONNX Runtime's threads shared out over the scoring lanes: in a
    process a lane (`model_process`), else in this one."""
    threads, spin = settings.model_threads(), settings.model_spin
    if settings.model_process:
        return ProcessScorer(
            settings.model_path,
            processes=settings.model_lanes,
            spin=spin,
            threads=threads,
            timeout_s=settings.model_timeout_s,
        )
    return load_scorer(settings.model_path, spin=spin, threads=threads)


def load_scorer_or_none(settings: Settings) -> Scorer | None:
    """The bundle from disk; None (comments go to humans) if it cannot be loaded or fails its check."""
    try:
        return load_served_scorer(settings)
    except Exception as error:
        log.error("model bundle not loaded (%s): every comment will be referred to a human", error)
        return None


def shared_state(settings: Settings) -> dict[str, Any]:
    """Rate limits, sign-in throttles and the key cache: in Redis when configured, else in process."""
    url = settings.redis_url
    return {
        "limiter": RateLimiter(ApiRateLimit(url, settings.rate_per_minute)),
        "keys": KeyCache(settings.api_key_cache_seconds, make_key_store(url)),
        "throttle": SignInThrottle(url, settings.sign_in_account_limit, settings.sign_in_address_limit),
    }


@dataclass
class AppState:
    settings: Settings
    database: Database
    triage: Triage
    metrics: Metrics
    limiter: RateLimiter
    keys: KeyCache
    throttle: SignInThrottle
    batcher: MicroBatcher | None = None
    recorder: Batcher[Scored, TriageResult] | None = None
    connector_nudge: threading.Event | None = None  # wakes the embedded connector worker
    _replaced: list[MicroBatcher] = field(default_factory=list)  # reloaded away, not yet stopped
    _retiring: set[asyncio.Future[None]] = field(default_factory=set)

    @classmethod
    def open(cls, settings: Settings, scorer: Scorer | None) -> AppState:
        database = Database.open(settings.database_url, busy_timeout_s=settings.database_busy_timeout_s)
        triage = Triage(
            scorer,
            Profiles(settings),
            database.sessions,
            duplicate_window=timedelta(hours=settings.duplicate_window_hours),
            timeout_s=settings.model_timeout_s,
        )
        return cls(settings, database, triage, Metrics(), **shared_state(settings))

    @property
    def sessions(self) -> sessionmaker[Session]:
        return self.database.sessions

    @property
    def scorer(self) -> Scorer | None:
        return self.triage.scorer

    def database_ok(self) -> bool:
        return self.database.ok()

    async def start(self) -> None:
        if self.scorer is not None:
            self.batcher = self._scoring_batcher(self.scorer)
            self.batcher.start()
        self.recorder = Batcher(
            self._record,
            self.settings.record_max_batch,
            self.settings.record_max_wait_ms,
            name="recorder",
            observe=self.metrics.batch_observer("recorder"),
        )
        self.recorder.start()

    async def stop(self) -> None:
        for batcher in (self.batcher, self.recorder):
            if batcher is not None:
                await batcher.stop()
        while self._replaced:  # reloaded within the grace period: stopped now
            await self._retire(self._replaced[0])
        await run_in_threadpool(close_scorer, self.scorer)
        await self.keys.close()
        await run_in_threadpool(self.triage.statistics.close)
        self.database.close()

    def _scoring_batcher(self, scorer: Scorer) -> MicroBatcher:
        settings = self.settings
        observe = self.metrics.batch_observer("scorer")
        return MicroBatcher(
            scorer, settings.batch_max_size, settings.batch_max_wait_ms, settings.model_lanes, observe=observe
        )

    def _record(self, batch: list[Scored]) -> list[TriageResult | Exception]:
        return self.triage.record([c for c, _ in batch], [s for _, s in batch])

    async def score(self, text: str) -> ScoreOutcome:
        """The scores, or why there are none (never raises: fail safe). The batcher is read once,
        so a reload mid-request is harmless."""
        batcher = self.batcher
        if batcher is None:
            return ScoreOutcome.failed(NOT_LOADED)
        try:
            outcome = await batcher.submit(text, timeout=self.settings.model_timeout_s)
        except TimeoutError:
            log.warning("scoring timed out; the comment goes to human review")
            outcome = ScoreOutcome.failed(TIMED_OUT)
        if outcome.scored is None:
            self.metrics.model_errors.inc()
        return outcome

    async def ingest(self, incoming: IncomingComment) -> TriageResult:
        """Score (batched), then decide and store (group commit); idempotent: a retried post
        returns the stored result and stores nothing twice. Answers only after the commit. A retry
        is scored again before the recorder finds it stored: rare, and cheaper than a database
        look-up on every request."""
        outcome = await self.score(incoming.text)
        if self.recorder is None:
            raise RuntimeError("the app has not started: no recorder")
        result = await self.recorder.submit((incoming, outcome))
        if result.created:
            self.metrics.decisions.labels(result.action).inc()
        return result

    async def reload_model(self) -> str:
        """Load and check the bundle from disk again and swap it in without failing a request in
        flight: requests already queued finish on the old batcher, stopped after a grace period."""
        scorer = await run_in_threadpool(load_served_scorer, self.settings)
        batcher = self._scoring_batcher(scorer)
        batcher.start()
        old, self.batcher, self.triage.scorer = self.batcher, batcher, scorer
        if old is not None:
            self._replaced.append(old)
            grace = self.settings.model_timeout_s * 2
            asyncio.get_running_loop().call_later(grace, self._retire_later, old)
        log.info("model reloaded: now serving %s", scorer.version)
        return scorer.version

    def _retire_later(self, batcher: MicroBatcher) -> None:
        task = asyncio.ensure_future(self._retire(batcher))
        self._retiring.add(task)  # held: the event loop keeps only a weak reference to a task
        task.add_done_callback(self._retiring.discard)

    async def _retire(self, batcher: MicroBatcher) -> None:
        """Stop a replaced batcher (its queued requests finish first), then its model's processes."""
        if batcher in self._replaced:
            self._replaced.remove(batcher)
            await batcher.stop()
            await run_in_threadpool(close_scorer, batcher.scorer)
