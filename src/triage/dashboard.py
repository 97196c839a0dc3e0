"""Figures for the officers' dashboard: queue depth, overdue items, actions, agreement with the model."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from triage.labels import LABELS
from triage.storage.tables import CommentRow, DecisionRow, OfficerDecisionRow, ReviewItemRow, ScoreRow


def figures(session: Session, *, councils: list[str], thresholds: dict[str, float], now: datetime) -> dict[str, Any]:
    open_items = select(ReviewItemRow).where(ReviewItemRow.council.in_(councils), ReviewItemRow.status == "open")
    depth = {queue: count for queue, count in session.execute(
        select(ReviewItemRow.queue, func.count()).where(ReviewItemRow.council.in_(councils), ReviewItemRow.status == "open").group_by(ReviewItemRow.queue))}  # fmt: skip
    overdue = sum(1 for item in session.scalars(open_items) if item.respond_by is not None and item.respond_by < now)
    by_action = {action: count for action, count in session.execute(
        select(DecisionRow.action, func.count()).join(CommentRow, CommentRow.id == DecisionRow.comment_id)
        .where(CommentRow.council.in_(councils)).group_by(DecisionRow.action))}  # fmt: skip
    agreement: dict[str, dict[str, int]] = {label: {"agree": 0, "disagree": 0} for label in LABELS}
    rows = session.execute(
        select(OfficerDecisionRow.labels, ScoreRow.scores).join(ScoreRow, ScoreRow.comment_id == OfficerDecisionRow.comment_id)
        .join(ReviewItemRow, ReviewItemRow.id == OfficerDecisionRow.review_item_id).where(ReviewItemRow.council.in_(councils))
    )  # fmt: skip
    for labels, scores in rows:
        for label, value in (labels or {}).items():
            model_says = scores.get(label, 0.0) >= thresholds.get(label, 0.5)
            agreement[label]["agree" if model_says == bool(value) else "disagree"] += 1
    return {"depth": depth, "overdue": overdue, "by_action": by_action,
            "agreement": {label: v for label, v in agreement.items() if v["agree"] + v["disagree"]}}  # fmt: skip
