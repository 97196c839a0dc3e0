"""Ingest as one command: `Triage(scorer, profiles, sessions).score_and_record(batch)` scores fail
safe, decides under each council's profile, routes, stores with group commit and answers typed results."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from triage import language
from triage.scoring.base import Scorer, flagged
from triage.service.planner_statistics import StatisticsKeeper
from triage.service.profiles import Profiles
from triage.service.record import AlongWith, Pending, ProfileFor, record_many, record_one, text_key
from triage.service.scoring import ScoreOutcome, TimedScorer, load_scorer, score_safely, usable, validate_scorer
from triage.storage.ingest import StoredResult
from triage.types import IncomingComment

__all__ = [
    "AlongWith",
    "IncomingComment",
    "Pending",
    "Profiles",
    "ScoreOutcome",
    "Triage",
    "TriageResult",
    "load_scorer",
    "record_many",
    "record_one",
    "score_safely",
    "text_key",
    "usable",
    "validate_scorer",
]


@dataclass(frozen=True)
class TriageResult(StoredResult):
    """A stored comment's result with the labels its scores flag under the model's thresholds."""

    labels_flagged: list[str] = field(default_factory=list)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Triage:
    """Triage comments for any caller (the API's batchers, the CLI, the demo, platform connectors).
    `scorer` may be None or swapped at run time: comments are then referred to a human."""

    def __init__(
        self,
        scorer: Scorer | None,
        profiles: ProfileFor,
        sessions: Callable[[], Session],
        *,
        duplicate_window: timedelta = timedelta(hours=24),
        timeout_s: float = 5.0,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.scorer, self.profiles, self.sessions = scorer, profiles, sessions
        self.duplicate_window, self.clock = duplicate_window, clock
        self._timed = TimedScorer(timeout_s)
        self.statistics = StatisticsKeeper(sessions)
        language.load()  # now, not in the first comment's transaction (about 0.7 s)

    def score(self, texts: Sequence[str]) -> list[ScoreOutcome]:
        """Scores or failure causes, one per text, within the time limit; never raises."""
        return self._timed(self.scorer, texts)

    def record(
        self,
        batch: Sequence[IncomingComment],
        scores: Sequence[ScoreOutcome],
        *,
        along_with: AlongWith | None = None,
    ) -> list[TriageResult | Exception]:
        """Decide, route and store scored comments in one transaction; a faulty one fails alone.
        `along_with` writes what belongs to each comment in that same transaction."""
        pending = [Pending(c, s.scored, s.model_version, s.failure) for c, s in zip(batch, scores, strict=True)]
        with self.sessions() as session:
            outcomes = record_many(
                session,
                pending,
                self.profiles,
                now=self.clock(),
                duplicate_window=self.duplicate_window,
                along_with=along_with,
            )
        self.statistics.recorded(sum(1 for o in outcomes if isinstance(o, StoredResult) and o.created))
        return [o if isinstance(o, Exception) else self.result(o) for o in outcomes]

    def score_and_record(
        self, batch: Sequence[IncomingComment], *, along_with: AlongWith | None = None
    ) -> list[TriageResult]:
        """Every comment stored and answered before returning; retries answer what was stored."""
        results = self.record(batch, self.score([c.text for c in batch]), along_with=along_with)
        for result in results:
            if isinstance(result, Exception):
                raise result
        return [r for r in results if not isinstance(r, Exception)]

    def result(self, stored: StoredResult) -> TriageResult:
        thresholds = self.scorer.thresholds if self.scorer is not None else {}
        labels = flagged(stored.scores, thresholds) if stored.scores is not None else []
        return TriageResult(**vars(stored), labels_flagged=labels)
