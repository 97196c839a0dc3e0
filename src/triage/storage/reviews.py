"""Storage for the review queue: items, officers' decisions (append-only), bulk targets, figures."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from triage.storage import repo
from triage.storage.tables import AuditEventRow, CommentRow, DecisionRow, OfficerDecisionRow, ReviewItemRow, ScoreRow

# The row types callers outside storage may name in annotations (they never build or query them).
ReviewItem = ReviewItemRow
OfficerDecisionRecord = OfficerDecisionRow
StoredComment = CommentRow


def item_in(session: Session, *, item_id: int, councils: list[str] | tuple[str, ...]) -> ReviewItemRow | None:
    """A review item, if it belongs to one of these councils."""
    item = session.get(ReviewItemRow, item_id)
    return item if item is not None and item.council in councils else None


def comment_of(session: Session, *, item: ReviewItemRow) -> CommentRow:
    comment = session.get(CommentRow, item.comment_id)
    assert comment is not None  # review items always point at a stored comment
    return comment


def model_decision_of(session: Session, *, item: ReviewItemRow) -> DecisionRow:
    decision = session.get(DecisionRow, item.decision_id)
    assert decision is not None
    return decision


def officer_decision(session: Session, *, decision_id: int) -> OfficerDecisionRow | None:
    return session.get(OfficerDecisionRow, decision_id)


def add_officer_decision(
    session: Session,
    *,
    item: ReviewItemRow,
    user_id: int,
    action: str,
    labels: dict[str, int],
    reason_code: str,
    note: str,
    now: datetime,
    undoes_id: int | None = None,
    reply: str | None = None,
) -> OfficerDecisionRow:
    row = OfficerDecisionRow(
        review_item_id=item.id,
        comment_id=item.comment_id,
        user_id=user_id,
        action=action,
        labels=labels,
        reason_code=reason_code,
        note=note,
        undoes_id=undoes_id,
        created_at=now,
        reply=reply,
    )
    session.add(row)
    session.flush()
    return row


def open_items_like(session: Session, *, item: ReviewItemRow, same: str) -> list[ReviewItemRow]:
    """Open items in the same council and queue with the same normalised text (`same="text"`,
    a spam wave) or from the same author (`same="author"`)."""
    comment = comment_of(session, item=item)
    query = (
        select(ReviewItemRow)
        .join(CommentRow, CommentRow.id == ReviewItemRow.comment_id)
        .where(ReviewItemRow.council == item.council, ReviewItemRow.status == "open", ReviewItemRow.queue == item.queue)
    )
    if same == "text":
        query = query.where(CommentRow.text_key == comment.text_key)
    else:
        query = query.where(CommentRow.platform == comment.platform, CommentRow.author_handle == comment.author_handle)
    return list(session.scalars(query.order_by(ReviewItemRow.id)))


def decisions_made_with(session: Session, *, decision: OfficerDecisionRow) -> list[OfficerDecisionRow]:
    """The other decisions the same person recorded at the same moment: one bulk action."""
    query = select(OfficerDecisionRow).where(
        OfficerDecisionRow.user_id == decision.user_id,
        OfficerDecisionRow.created_at == decision.created_at,
        OfficerDecisionRow.action != "undo",
        OfficerDecisionRow.id != decision.id,
    )
    return list(session.scalars(query.order_by(OfficerDecisionRow.id)))


def automatic_decisions(
    session: Session, *, councils: list[str], action: str | None = None, limit: int = 300
) -> list[tuple[DecisionRow, CommentRow, ReviewItemRow | None]]:
    """What the service decided without a person, newest first, with the review item made when
    an officer reversed it (None while it stands)."""
    query = (
        select(DecisionRow, CommentRow, ReviewItemRow)
        .join(CommentRow, CommentRow.id == DecisionRow.comment_id)
        .outerjoin(ReviewItemRow, ReviewItemRow.decision_id == DecisionRow.id)
        .where(CommentRow.council.in_(councils), DecisionRow.needs_review.is_(False))
    )
    if action:
        query = query.where(DecisionRow.action == action)
    rows = session.execute(query.order_by(DecisionRow.id.desc()).limit(limit))
    return [(decision, comment, item) for decision, comment, item in rows]


def model_decision(session: Session, *, decision_id: int, councils: list[str] | tuple[str, ...]) -> DecisionRow | None:
    decision = session.get(DecisionRow, decision_id)
    comment = session.get(CommentRow, decision.comment_id) if decision else None
    return decision if comment is not None and comment.council in councils else None


def add_decided_item(session: Session, *, decision: DecisionRow, council: str, now: datetime) -> ReviewItemRow:
    """A review item, already decided, to hang an officer's reversal of an automatic decision on."""
    row = ReviewItemRow(
        comment_id=decision.comment_id,
        decision_id=decision.id,
        council=council,
        status="decided",
        queue="officer",
        priority=0,
        uncertainty=0.0,
        respond_by=None,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


def open_items_with_comments(
    session: Session, *, council: str, queue: str, limit: int = 500
) -> list[tuple[ReviewItemRow, CommentRow]]:
    """Open items of one council's queue with their comments, oldest first (near-duplicate candidates)."""
    query = (
        select(ReviewItemRow, CommentRow)
        .join(CommentRow, CommentRow.id == ReviewItemRow.comment_id)
        .where(ReviewItemRow.council == council, ReviewItemRow.status == "open", ReviewItemRow.queue == queue)
        .order_by(ReviewItemRow.id)
        .limit(limit)
    )
    return [(item, comment) for item, comment in session.execute(query)]


def officer_decisions_since(
    session: Session, *, since: datetime | None = None, councils: list[str] | None = None
) -> list[tuple[OfficerDecisionRow, CommentRow]]:
    """Every officer decision (undos included) with its comment, oldest first."""
    query = select(OfficerDecisionRow, CommentRow).join(CommentRow, CommentRow.id == OfficerDecisionRow.comment_id)
    if since is not None:
        query = query.where(OfficerDecisionRow.created_at >= since)
    if councils is not None:
        query = query.where(CommentRow.council.in_(councils))
    return [(decision, comment) for decision, comment in session.execute(query.order_by(OfficerDecisionRow.id))]


def latest_scores(session: Session, *, comment_ids: list[int]) -> dict[int, ScoreRow]:
    """The newest score of each comment, in one query."""
    rows = session.scalars(select(ScoreRow).where(ScoreRow.comment_id.in_(comment_ids)).order_by(ScoreRow.id))
    return {row.comment_id: row for row in rows}


def first_decisions(session: Session, *, comment_ids: list[int]) -> dict[int, DecisionRow]:
    """The model's (first) decision on each comment, in one query."""
    rows = session.scalars(
        select(DecisionRow).where(DecisionRow.comment_id.in_(comment_ids)).order_by(DecisionRow.id.desc())
    )
    return {row.comment_id: row for row in rows}


def open_depth(session: Session, *, councils: list[str]) -> dict[str, int]:
    """Open items per queue."""
    rows = session.execute(
        select(ReviewItemRow.queue, func.count())
        .where(ReviewItemRow.council.in_(councils), ReviewItemRow.status == "open")
        .group_by(ReviewItemRow.queue)
    )
    return {queue: count for queue, count in rows}


def overdue(session: Session, *, councils: list[str], now: datetime) -> int:
    return int(
        session.scalar(
            select(func.count()).where(
                ReviewItemRow.council.in_(councils), ReviewItemRow.status == "open", ReviewItemRow.respond_by < now
            )
        )
        or 0
    )


def actions_taken(session: Session, *, councils: list[str], automatic_only: bool = False) -> dict[str, int]:
    """The model's decisions per action (only those no person had to look at, with `automatic_only`)."""
    query = (
        select(DecisionRow.action, func.count())
        .join(CommentRow, CommentRow.id == DecisionRow.comment_id)
        .where(CommentRow.council.in_(councils))
    )
    if automatic_only:
        query = query.where(DecisionRow.needs_review.is_(False))
    rows = session.execute(query.group_by(DecisionRow.action))
    return {action: count for action, count in rows}


def audit_events(
    session: Session,
    *,
    councils: list[str] | tuple[str, ...],
    actor: str,
    limit: int = 300,
    by: str | None = None,
    kind: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[Any]:
    """The newest audit events of these councils or by this actor; `by`, `kind` and the dates filter."""
    query = select(AuditEventRow).where((AuditEventRow.council.in_(councils)) | (AuditEventRow.actor == actor))
    for column, value in ((AuditEventRow.actor, by), (AuditEventRow.kind, kind)):
        if value:
            query = query.where(column == value)
    if since is not None:
        query = query.where(AuditEventRow.at >= since)
    if until is not None:
        query = query.where(AuditEventRow.at < until)
    return list(session.scalars(query.order_by(AuditEventRow.id.desc()).limit(limit)))


def items_of_comments(session: Session, *, comment_ids: set[int]) -> dict[int, int]:
    """The latest review item of each comment, in one query (links from the audit log)."""
    rows = session.execute(
        select(ReviewItemRow.comment_id, ReviewItemRow.id)
        .where(ReviewItemRow.comment_id.in_(comment_ids))
        .order_by(ReviewItemRow.id)
    )
    return {comment_id: item_id for comment_id, item_id in rows}


def item_details(session: Session, *, item: ReviewItemRow) -> dict[str, Any]:
    """Everything an officer sees beside an item: the comment, the model's decision and scores,
    the author's record, their other recent comments and the officers' decisions so far."""
    comment = comment_of(session, item=item)
    handle = comment.author_handle or ""
    earlier = repo.comments_by_author(
        session, councils=[comment.council], platform=comment.platform, handle=handle, limit=20
    )
    return {
        "item": item,
        "comment": comment,
        "decision": model_decision_of(session, item=item),
        "score": repo.latest_score(session, comment_id=comment.id),
        "author": repo.author(session, council=comment.council, platform=comment.platform, handle=handle),
        "earlier": [c for c in earlier if c.id != comment.id],
        "officer_decisions": repo.officer_decisions_of(session, comment_id=comment.id),
    }
