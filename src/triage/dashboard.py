"""Figures for the officers' dashboard: queue depth, overdue items, actions, agreement with the model,
deadlines met per intent this week, connections that stopped and platform actions that failed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session

from triage.connectors import status
from triage.connectors.connections import listing
from triage.labels import LABELS
from triage.policy.engine import LONDON, local_time
from triage.review import standing_decisions
from triage.scoring.base import is_flagged
from triage.storage import deadlines, reviews

OUTCOMES = ("due", "met", "missed", "open")  # due: all of them; open: not yet decided, not yet late


def agreement(session: Session, *, councils: list[str], thresholds: Mapping[str, float]) -> dict[str, dict[str, int]]:
    """Per label, how often the officers' standing decisions agree with the model's flag."""
    counts: dict[str, dict[str, int]] = {label: {"agree": 0, "disagree": 0} for label in LABELS}
    decided = standing_decisions(session, councils=councils)
    scores = reviews.latest_scores(session, comment_ids=[comment.id for _, comment in decided])
    for decision, comment in decided:
        score = scores.get(comment.id)
        if score is None:
            continue
        for label, value in (decision.labels or {}).items():
            model_says = is_flagged(score.scores, label, thresholds)
            counts[label]["agree" if model_says == bool(value) else "disagree"] += 1
    return {label: v for label, v in counts.items() if v["agree"] + v["disagree"]}


def week_of(now: datetime) -> tuple[datetime, datetime]:
    """The UK week (Monday 00:00 to the next Monday 00:00, London time) that `now` falls in, in UTC."""
    day = local_time(now).date()
    monday = datetime.combine(day - timedelta(days=day.weekday()), time(0), LONDON)
    return monday.astimezone(UTC), (monday + timedelta(days=7)).astimezone(UTC)


def _outcome(respond_by: datetime, decided_at: datetime | None, now: datetime) -> str:
    if decided_at is not None:
        return "met" if decided_at <= respond_by else "missed"
    return "missed" if respond_by <= now else "open"


def deadlines_this_week(session: Session, *, councils: list[str], now: datetime) -> dict[str, dict[str, list[int]]]:
    """Per intent, the ids of the items due this week (respond-by from the council's profile):
    all of them, met on time, missed (decided late, or past due and still open), still open."""
    start, end = week_of(now)
    out: dict[str, dict[str, list[int]]] = {}
    for item, intent, decided_at in deadlines.due_between(session, councils=councils, start=start, end=end):
        assert item.respond_by is not None  # chosen by their respond-by
        ids = out.setdefault(intent, {outcome: [] for outcome in OUTCOMES})
        ids["due"].append(item.id)
        ids[_outcome(item.respond_by, decided_at, now)].append(item.id)
    return dict(sorted(out.items()))


def platform_problems(session: Session, *, councils: list[str]) -> dict[str, Any]:
    """Connections that stopped (expired token, lost permission), with what to do next, and the
    platform actions that failed after their retries (dead letters)."""
    return {
        "stopped": [c for c in listing(session) if c.council in councils and c.status != "active"],
        "dead_letters": status.dead_letters(session, councils=councils),
    }


def figures(session: Session, *, councils: list[str], thresholds: Mapping[str, float], now: datetime) -> dict[str, Any]:
    return {
        "deadlines": deadlines_this_week(session, councils=councils, now=now),
        "platforms": platform_problems(session, councils=councils),
        "depth": reviews.open_depth(session, councils=councils),
        "overdue": reviews.overdue(session, councils=councils, now=now),
        "by_action": reviews.actions_taken(session, councils=councils, automatic_only=True),
        "officer_actions": dict(Counter(d.action for d, _ in standing_decisions(session, councils=councils))),
        "agreement": agreement(session, councils=councils, thresholds=thresholds),
    }
