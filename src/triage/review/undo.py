"""Undo: take back one's own latest decision within minutes, a bulk action as a whole."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from triage.connectors import outbox
from triage.review.decide import ReviewOutcome
from triage.review.queue import Actor, ItemNotFound, ReviewError
from triage.storage import repo, reviews
from triage.storage.reviews import OfficerDecisionRecord

UNDO_MINUTES = 5


def _check(session: Session, decision: OfficerDecisionRecord, actor: Actor, now: datetime) -> None:
    if decision.user_id != actor.user_id:
        raise ReviewError("you can only undo your own decisions")
    if decision.action == "undo":
        raise ReviewError("an undo cannot itself be undone")
    latest = repo.latest_officer_decision(session, review_item_id=decision.review_item_id)
    if latest is None or latest.id != decision.id:  # undone already, or someone decided since
        raise ReviewError("only the latest decision on an item can be undone, and only once")
    made = decision.created_at if decision.created_at.tzinfo else decision.created_at.replace(tzinfo=now.tzinfo)
    if now - made > timedelta(minutes=UNDO_MINUTES):
        raise ReviewError(f"decisions can be undone for {UNDO_MINUTES} minutes only")


def _undo_one(session: Session, decision: OfficerDecisionRecord, actor: Actor, now: datetime) -> int:
    item = reviews.item_in(session, item_id=decision.review_item_id, councils=actor.councils)
    if item is None:
        raise ItemNotFound("no such decision in your councils")
    row = reviews.add_officer_decision(
        session,
        item=item,
        user_id=actor.user_id,
        action="undo",
        labels={},
        reason_code="undo",
        note=f"undoes decision {decision.id}",
        now=now,
        undoes_id=decision.id,
    )
    item.status = "open"
    repo.audit(
        session,
        actor=actor.name,
        kind="officer_undo",
        subject=f"comment:{item.comment_id}",
        council=item.council,
        detail={"undoes": decision.id},
        now=now,
    )
    # The platform action is taken back through the outbox in this same transaction (unhide).
    outbox.enqueue_for_undo(session, comment_id=item.comment_id, undoes_id=decision.id, now=now)
    return row.id


def undo(session: Session, *, decision_id: int, actor: Actor, now: datetime) -> ReviewOutcome:
    """Take back one's own decision within a few minutes: a new event, and the item reopens. A bulk
    action (the decisions one person made at the same moment) is undone as a whole, where each
    is still the latest on its item."""
    decision = reviews.officer_decision(session, decision_id=decision_id)
    item = reviews.item_in(session, item_id=decision.review_item_id, councils=actor.councils) if decision else None
    if decision is None or item is None:
        raise ItemNotFound("no such decision in your councils")
    _check(session, decision, actor, now)
    ids = [_undo_one(session, decision, actor, now)]
    for sibling in reviews.decisions_made_with(session, decision=decision):
        latest = repo.latest_officer_decision(session, review_item_id=sibling.review_item_id)
        if latest is not None and latest.id == sibling.id:
            ids.append(_undo_one(session, sibling, actor, now))
    session.commit()
    return ReviewOutcome(tuple(ids), item.id, item.queue, "undo", {}, "undo", now)
