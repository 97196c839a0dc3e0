"""Storage for the deadline figures: review items due in a period, their intent and when they
were decided."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from triage.storage import reviews
from triage.storage.tables import OfficerDecisionRow, ReviewItemRow

DueItem = tuple[ReviewItemRow, str, datetime | None]  # the item, its intent, when it was decided


def due_between(session: Session, *, councils: list[str], start: datetime, end: datetime) -> list[DueItem]:
    """Items whose respond-by falls in [start, end), with the model's intent ("none" when the
    model could not score it) and the time of the standing officer decision (None while open)."""
    items = list(
        session.scalars(
            select(ReviewItemRow)
            .where(
                ReviewItemRow.council.in_(councils),
                ReviewItemRow.respond_by >= start,
                ReviewItemRow.respond_by < end,
            )
            .order_by(ReviewItemRow.respond_by, ReviewItemRow.id)
        )
    )
    scores = reviews.latest_scores(session, comment_ids=[item.comment_id for item in items])
    # An undo reopens the item, so a decided item's newest decision that is not an undo stands.
    decided = dict(
        session.execute(
            select(OfficerDecisionRow.review_item_id, func.max(OfficerDecisionRow.created_at))
            .where(
                OfficerDecisionRow.review_item_id.in_([item.id for item in items]),
                OfficerDecisionRow.action != "undo",
            )
            .group_by(OfficerDecisionRow.review_item_id)
        ).all()
    )
    return [
        (
            item,
            scores[item.comment_id].intent if item.comment_id in scores else "none",
            decided.get(item.id) if item.status == "decided" else None,
        )
        for item in items
    ]
