"""The review queue: routing, claims, the officer decision as one command, and the decisions that stand."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from triage.review.decide import OfficerDecision, ReviewOutcome, decide, decide_items, redacted
from triage.review.queue import (
    Actor,
    ItemNotFound,
    ReviewError,
    claim,
    manages,
    may_decide,
    queue_for,
    release,
    visible_queues,
)
from triage.review.undo import UNDO_MINUTES, undo
from triage.review.worklist import near_duplicates, next_item
from triage.storage import reviews
from triage.storage.reviews import OfficerDecisionRecord, StoredComment

__all__ = [
    "UNDO_MINUTES",
    "Actor",
    "ItemNotFound",
    "OfficerDecision",
    "ReviewError",
    "ReviewOutcome",
    "claim",
    "decide",
    "decide_items",
    "manages",
    "may_decide",
    "near_duplicates",
    "next_item",
    "queue_for",
    "redacted",
    "release",
    "standing_decisions",
    "undo",
    "visible_queues",
]


def standing_decisions(
    session: Session, *, since: datetime | None = None, councils: list[str] | None = None
) -> list[tuple[OfficerDecisionRecord, StoredComment]]:
    """The last standing officer decision per review item, with its comment: undone decisions and
    the undos themselves dropped. The export (training data) and the dashboard both read these."""
    rows = reviews.officer_decisions_since(session, since=since, councils=councils)
    undone = {d.undoes_id for d, _ in rows if d.undoes_id is not None}
    latest: dict[int, tuple[OfficerDecisionRecord, StoredComment]] = {}
    for decision, comment in rows:
        if decision.action != "undo" and decision.id not in undone:
            latest[decision.review_item_id] = (decision, comment)
    return list(latest.values())
