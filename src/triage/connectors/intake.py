"""The connectors' one call into ingest: the ingest command (`triage.service.Triage`) with the
scorer in service at the time of the call (it may be reloaded while a worker runs)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from triage.policy import Profile
from triage.scoring.base import Scorer
from triage.service import Triage
from triage.storage.ingest import StoredResult
from triage.types import IncomingComment


@dataclass(frozen=True)
class Ingested:
    """What the connectors need of a stored comment's result."""

    comment_id: int
    action: str
    needs_review: bool
    created: bool


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Intake:
    """Ingest for connectors: fail-safe scoring, decision, storage and queueing by `Triage`."""

    def __init__(
        self,
        scorer: Callable[[], Scorer | None],
        profiles: Callable[[str], Profile],
        sessions: Callable[[], Session],
        *,
        duplicate_window: timedelta = timedelta(hours=24),
        timeout_s: float = 5.0,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.scorer = scorer
        # One ingest command for the worker's life: it holds the scorer's time-limit thread.
        self.triage = Triage(
            None, profiles, sessions, duplicate_window=duplicate_window, timeout_s=timeout_s, clock=clock
        )

    def ingest(
        self, batch: Sequence[IncomingComment], along_with: Callable[[Session, int, Ingested], None] | None = None
    ) -> list[Ingested]:
        """Every comment stored before returning; a comment stored before answers what was stored.
        `along_with(session, position, result)` writes what belongs to each comment (its platform
        object, its automatic actions) in the ingest's own transaction: both commit, or neither."""
        if not batch:
            return []
        self.triage.scorer = self.scorer()  # the model in service now (it may have been reloaded)

        def write(session: Session, index: int, stored: StoredResult) -> None:
            if along_with is not None:
                along_with(session, index, _ingested(stored))

        return [_ingested(r) for r in self.triage.score_and_record(batch, along_with=write)]


def _ingested(stored: StoredResult) -> Ingested:
    return Ingested(stored.id, stored.action, stored.needs_review, stored.created)
