"""The review queue: enqueue what needs a human, claim with expiry, record officers' decisions."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from triage.labels import ACTIONS, LABELS
from triage.storage import repo
from triage.storage.tables import CommentRow, DecisionRow, OfficerDecisionRow, ReviewItemRow

MANAGER_ONLY_FLAGS = ("block_author",)


class ReviewError(ValueError):
    """An officer's decision that cannot be taken: names the problem."""


def enqueue(
    session: Session, *, comment: CommentRow, decision: DecisionRow, uncertainty: float, now: datetime
) -> ReviewItemRow:
    """Referred items and blocks go to managers; everything else to officers."""
    to_manager = decision.action == "refer" or any(flag in MANAGER_ONLY_FLAGS for flag in decision.flags)
    return repo.add_review_item(session, comment_id=comment.id, decision_id=decision.id, council=comment.council,
                                status="open", queue="manager" if to_manager else "officer", priority=decision.priority,
                                uncertainty=uncertainty, respond_by=decision.respond_by, created_at=now)  # fmt: skip


def claim(session: Session, *, item: ReviewItemRow, user_id: int, now: datetime, minutes: int) -> None:
    """Two officers never decide the same item at once: a claim holds it for `minutes`."""
    held = item.claimed_by is not None and item.claimed_until is not None and _aware(item.claimed_until) > now
    if held and item.claimed_by != user_id:
        raise ReviewError("another officer is working on this item; try again when their claim expires")
    item.claimed_by, item.claimed_until = user_id, now + timedelta(minutes=minutes)


def _aware(moment: datetime) -> datetime:
    from datetime import UTC

    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def record_decision(session: Session, *, item: ReviewItemRow, user_id: int, role: str, action: str, labels: dict[str, int],
                    reason_code: str, note: str, now: datetime) -> OfficerDecisionRow:  # fmt: skip
    if action not in ACTIONS:
        raise ReviewError(f"unknown action {action!r}; choose from {', '.join(ACTIONS)}")
    unknown = set(labels) - set(LABELS)
    if unknown:
        raise ReviewError(f"unknown labels {sorted(unknown)}")
    if item.queue == "manager" and role not in ("manager", "admin"):
        raise ReviewError("referred items are decided by managers")
    if item.status != "open":
        raise ReviewError("this item has already been decided")
    claim(session, item=item, user_id=user_id, now=now, minutes=1)
    row = OfficerDecisionRow(review_item_id=item.id, comment_id=item.comment_id, user_id=user_id, action=action,
                             labels=labels, reason_code=reason_code, note=note, created_at=now)  # fmt: skip
    session.add(row)
    item.status, item.claimed_by, item.claimed_until = "decided", None, None
    detail: dict[str, Any] = {"action": action, "labels": labels, "reason_code": reason_code}
    repo.audit(session, actor=f"user:{user_id}", kind="officer_decision", subject=f"comment:{item.comment_id}",
               council=item.council, detail=detail, now=now)  # fmt: skip
    session.flush()
    return row
