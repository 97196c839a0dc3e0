"""What the running app holds: settings, database, scorer and its batcher, profiles, metrics."""

from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from serve.batching import Batcher, MicroBatcher
from serve.metrics import Metrics
from serve.security import KeyCache, RateLimiter, utcnow
from triage import service
from triage.config import Settings
from triage.policy import Profile
from triage.policy.profile import ProfileError, profile_by_name, published_contacts
from triage.scoring.base import Scorer
from triage.types import ScoredText

log = logging.getLogger("triage.serve")


@dataclass
class AppState:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    scorer: Scorer | None
    metrics: Metrics
    limiter: RateLimiter
    keys: KeyCache = field(default_factory=KeyCache)
    batcher: MicroBatcher | None = None
    recorder: Batcher[service.Pending, dict[str, Any]] | None = None
    profiles: dict[str, Profile] = field(default_factory=dict)
    connector_nudge: threading.Event | None = None  # wakes the embedded connector worker

    def profile(self, council: str) -> Profile:
        name = self.settings.profile_for(council)
        if name not in self.profiles:
            try:
                self.profiles[name] = profile_by_name(name)
            except ProfileError:
                self.profiles[name] = profile_by_name(self.settings.default_profile)
        return self.profiles[name]

    def database_ok(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("select 1"))
            return True
        except Exception:
            return False

    async def score(self, text_: str) -> tuple[ScoredText | None, str, str | None]:
        """The scores and the version of the model that made them, or None with a failure cause
        (never raises: fail safe). The batcher is read once, so a reload mid-request is harmless."""
        batcher = self.batcher
        if batcher is None:
            return None, "model not loaded", None
        try:
            scored = await asyncio.wait_for(batcher.score(text_), self.settings.model_timeout_s)
            return scored, "", batcher.scorer.version
        except TimeoutError:
            failure = "model timed out"
        except Exception as error:
            failure = f"model error: {type(error).__name__}"
        self.metrics.model_errors.inc()
        log.warning("scoring failed (%s); the comment goes to human review", failure)
        return None, failure, None

    async def ingest(self, incoming: service.IncomingComment) -> dict[str, Any]:
        """Score (batched), then decide and store (group commit); idempotent: a retried post
        returns the stored result and stores nothing twice. Answers only after the commit. A retry
        is scored again before the recorder finds it stored: rare, and cheaper than a database
        look-up on every request."""
        scored, failure, version = await self.score(incoming.text)
        if self.recorder is None:
            raise RuntimeError("the app has not started: no recorder")
        summary = await self.recorder.submit(service.Pending(incoming, scored, version, failure))
        if summary["created"]:
            self.metrics.decisions.labels(summary["action"]).inc()
        return summary

    def start_recorder(self) -> None:
        self.recorder = Batcher(self._record_many, self.settings.record_max_batch, self.settings.record_max_wait_ms,
                                name="recorder")  # fmt: skip
        self.recorder.start()

    def _record_many(self, pending: list[service.Pending]) -> list[dict[str, Any] | Exception]:
        with self.sessions() as session:
            outcomes = service.record_many(session, pending, self.profile, now=utcnow(),
                                           duplicate_window=timedelta(hours=self.settings.duplicate_window_hours))  # fmt: skip
            return [o if isinstance(o, Exception) else self._public(o) for o in outcomes]

    def _public(self, outcome: service.Outcome) -> dict[str, Any]:
        summary = service.decision_summary(outcome)
        thresholds = self.scorer.thresholds if self.scorer else {}
        scores = summary["scores"] or {}
        summary["labels_flagged"] = [label for label, value in scores.items() if value >= thresholds.get(label, 0.5)]
        return summary

    async def reload_model(self) -> str:
        """Load the bundle from disk again and swap it in without failing a request in flight:
        requests already queued finish on the old batcher, which is stopped after a grace period."""
        from triage.scoring.registry import load_bundle

        scorer = await run_in_threadpool(
            load_bundle, self.settings.model_path, published_contacts(), self.settings.model_spin
        )
        batcher = MicroBatcher(scorer, self.settings.batch_max_size, self.settings.batch_max_wait_ms)
        batcher.start()
        old, self.batcher, self.scorer = self.batcher, batcher, scorer
        if old is not None:
            asyncio.get_running_loop().call_later(
                self.settings.model_timeout_s * 2, lambda: asyncio.ensure_future(old.stop())
            )
        log.info("model reloaded: now serving %s", scorer.version)
        return scorer.version
