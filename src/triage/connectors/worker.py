"""The connector worker: processes stored webhook deliveries and delivers the outbox, with
back-off, rate limits, stopped connections and dead letters. One per SQLite database; any number
over PostgreSQL (claims skip each other's rows)."""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from triage.connectors import connections, inbound
from triage.connectors.backoff import backoff_seconds
from triage.connectors.intake import Intake
from triage.connectors.platforms import Answer, PlatformApi
from triage.storage import connections as store
from triage.storage import outbox as outbox_store
from triage.storage import repo
from triage.storage.outbox import OutboxAction

log = logging.getLogger("triage.connectors")
STATE_AFTER = {"hide": "hidden", "unhide": "visible", "delete": "deleted"}


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Worker:
    def __init__(
        self,
        sessions: Callable[[], Session],
        platforms: PlatformApi,
        intake: Intake | None = None,
        *,
        clock: Callable[[], datetime] = _utcnow,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        environ: dict[str, str] | None = None,
        max_attempts: int = 8,
        lease: timedelta = timedelta(minutes=2),
        batch: int = 20,
        after_answer: Callable[[int, Answer], None] | None = None,
    ) -> None:
        self.sessions, self.platforms, self.intake = sessions, platforms, intake
        self.clock, self.sleep, self.rng = clock, sleep, rng or random.Random()
        self.environ, self.max_attempts, self.lease, self.batch = environ, max_attempts, lease, batch
        self.after_answer = after_answer  # tests stop the worker here, between the answer and the update

    def run_once(self) -> int:
        """One round: stored deliveries first (they may queue actions), then due actions."""
        done = (
            inbound.process_pending(self.sessions, self.intake, now=self.clock(), lease=self.lease)
            if self.intake
            else 0
        )
        with self.sessions() as session:
            claimed = [
                row.id for row in outbox_store.claim_due(session, now=self.clock(), lease=self.lease, limit=self.batch)
            ]
        for outbox_id in claimed:
            self.deliver(outbox_id)
        return done + len(claimed)

    def run_until_idle(self, max_rounds: int = 10_000) -> int:
        """Work until nothing is due or waiting, sleeping (the injected sleep) until the next
        action falls due; returns the rounds run. Stops when only stopped connections wait."""
        for rounds in range(max_rounds):
            if self.run_once():
                continue
            with self.sessions() as session:
                wake = outbox_store.next_wake(session, now=self.clock())
            if wake is None:
                return rounds
            self.sleep(max((wake - self.clock()).total_seconds(), 0.001))
        raise RuntimeError("the worker did not settle")

    def run_forever(
        self, stop: threading.Event, poll_seconds: float = 2.0, nudge: threading.Event | None = None
    ) -> None:
        while not stop.is_set():
            try:
                busy = self.run_once()
            except Exception as error:  # the database is away: keep the worker alive
                log.warning("connector worker round failed (%s)", type(error).__name__)
                busy = 0
            if not busy:
                (nudge or stop).wait(poll_seconds)
                if nudge is not None:
                    nudge.clear()

    def deliver(self, outbox_id: int) -> None:
        with self.sessions() as session:
            row = outbox_store.get(session, outbox_id=outbox_id)
            if row is None:
                return
            connection = store.connection_by_id(session, connection_id=row.connection_id)
            target = store.platform_comment_of(session, comment_id=row.comment_id)
            assert connection is not None and target is not None
            paused = connection.paused_until is not None and connection.paused_until > self.clock()
            if connection.status != "active" or connection.mode != "live" or paused:
                row.status, row.claimed_until = "pending", None  # stopped or paused since the claim
                session.commit()
                return
            try:
                token = connections.read_token(connection, self.environ)
            except connections.TokenUnavailable as problem:
                connections.stop(session, row=connection, status="token_missing", detail=str(problem), now=self.clock())
                row.status, row.claimed_until = "pending", None
                session.commit()
                return
            call = (connection.platform, row.action, target.object_id, token, row.reply_text)
        answer = self.platforms.perform(*call)
        if self.after_answer is not None:
            self.after_answer(outbox_id, answer)
        self.settle(outbox_id, answer)

    def settle(self, outbox_id: int, answer: Answer) -> None:
        """Record what the platform said: done, wait and retry, stop the connection, or dead letter."""
        now = self.clock()
        with self.sessions() as session:
            row = outbox_store.get(session, outbox_id=outbox_id)
            assert row is not None
            connection = store.connection_by_id(session, connection_id=row.connection_id)
            assert connection is not None
            row.claimed_until, row.last_error = None, answer.detail[:500]
            if answer.outcome in ("ok", "gone"):
                self._done(session, row, answer, now)
            elif answer.outcome == "rate_limited":  # the whole connection waits; not a failure
                wait = max(answer.wait_s, backoff_seconds(row.attempts + 1, self.rng))
                row.status, row.next_attempt_at = "pending", now + timedelta(seconds=wait)
                connection.paused_until = now + timedelta(seconds=wait)
            elif answer.outcome in ("token_invalid", "permission_missing"):
                row.status = "pending"  # waits for the connection to be resumed
                connections.stop(session, row=connection, status=answer.outcome, detail=answer.detail, now=now)
            elif answer.outcome == "retry" and row.attempts + 1 < self.max_attempts:
                row.attempts += 1
                wait = max(answer.wait_s, backoff_seconds(row.attempts, self.rng))
                row.status, row.next_attempt_at = "pending", now + timedelta(seconds=wait)
            else:
                row.attempts += 1
                row.status = "dead"
                self._audit(session, row, connection.council, "platform_action_dead", now)
            session.commit()

    def _done(self, session: Session, row: OutboxAction, answer: Answer, now: datetime) -> None:
        row.status, row.delivered_at = "done", now
        target = store.platform_comment_of(session, comment_id=row.comment_id)
        if target is not None and row.action in STATE_AFTER:
            target.state = "deleted" if answer.outcome == "gone" else STATE_AFTER[row.action]
            target.updated_at = now
        council = target.council if target else None
        self._audit(session, row, council, "platform_action", now)

    def _audit(self, session: Session, row: OutboxAction, council: str | None, kind: str, now: datetime) -> None:
        detail = {"outbox_id": row.id, "action": row.action, "status": row.status, "attempts": row.attempts}
        repo.audit(
            session,
            actor="worker",
            kind=kind,
            subject=f"comment:{row.comment_id}",
            council=council,
            detail=detail,
            now=now,
        )
