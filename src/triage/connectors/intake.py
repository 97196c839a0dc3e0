"""The connectors' one call into ingest: score fail-safe, decide, store, enqueue (idempotent)."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from triage import service
from triage.policy import Profile
from triage.scoring.base import Scorer
from triage.types import ScoredText

log = logging.getLogger("triage.connectors")


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
    """Ingest for connectors. MERGE POINT: with the ingest command (`triage.service.Triage`), the
    body of `ingest` becomes `Triage(scorer, profiles, sessions).score_and_record(batch)` mapped to
    `Ingested(r.id, r.action, r.needs_review, r.created)`."""

    def __init__(
        self,
        scorer: Callable[[], Scorer | None],
        profiles: Callable[[str], Profile],
        sessions: Callable[[], Session],
        *,
        duplicate_window: timedelta = timedelta(hours=24),
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.scorer, self.profiles, self.sessions = scorer, profiles, sessions
        self.duplicate_window, self.clock = duplicate_window, clock

    def ingest(self, batch: Sequence[service.IncomingComment]) -> list[Ingested]:
        """Every comment stored before returning; a comment stored before answers what was stored."""
        if not batch:
            return []
        scored, version, failure = self._score([c.text for c in batch])
        pending = [
            service.Pending(c, s, version if s is not None else None, failure)
            for c, s in zip(batch, scored, strict=True)
        ]
        with self.sessions() as session:
            outcomes = service.record_many(
                session, pending, self.profiles, now=self.clock(), duplicate_window=self.duplicate_window
            )
        results = []
        for outcome in outcomes:
            if isinstance(outcome, Exception):
                raise outcome
            decision = outcome.decision
            results.append(Ingested(outcome.comment.id, decision.action, decision.needs_review, outcome.created))
        return results

    def _score(self, texts: list[str]) -> tuple[list[ScoredText | None], str | None, str]:
        """Scores, or None for each with the cause: any failure sends the comments to a human."""
        scorer = self.scorer()
        if scorer is None:
            return [None] * len(texts), None, "model not loaded"
        try:
            scored = scorer.score(texts)
            if len(scored) != len(texts) or not all(_finite(s) for s in scored):
                raise ValueError("the model returned unusable scores")
            return list(scored), scorer.version, ""
        except Exception as error:
            log.warning("scoring failed (%s); the comments go to human review", type(error).__name__)
            return [None] * len(texts), None, f"model error: {type(error).__name__}"


def _finite(scored: ScoredText) -> bool:
    return all(math.isfinite(value) and 0.0 <= value <= 1.0 for value in scored.scores.values())
