"""Figures for the officers' dashboard: queue depth, overdue items, actions, agreement with the model."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from triage.labels import LABELS
from triage.review import standing_decisions
from triage.scoring.base import is_flagged
from triage.storage import reviews


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


def figures(session: Session, *, councils: list[str], thresholds: Mapping[str, float], now: datetime) -> dict[str, Any]:
    return {
        "depth": reviews.open_depth(session, councils=councils),
        "overdue": reviews.overdue(session, councils=councils, now=now),
        "by_action": reviews.actions_taken(session, councils=councils, automatic_only=True),
        "officer_actions": dict(Counter(d.action for d, _ in standing_decisions(session, councils=councils))),
        "agreement": agreement(session, councils=councils, thresholds=thresholds),
    }
