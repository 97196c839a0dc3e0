"""Storage functions over the tables; keyword-only arguments; callers own the transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from triage.storage.tables import (
    AuditEventRow,
    AuthorRow,
    CommentRow,
    DecisionRow,
    OfficerDecisionRow,
    ReviewItemRow,
    ScoreRow,
)


def find_comment(session: Session, *, council: str, platform: str, external_id: str) -> CommentRow | None:
    return session.scalar(
        select(CommentRow).where(
            CommentRow.council == council, CommentRow.platform == platform, CommentRow.external_id == external_id
        )
    )


def get_comment(session: Session, *, comment_id: int, councils: list[str]) -> CommentRow | None:
    return session.scalar(select(CommentRow).where(CommentRow.id == comment_id, CommentRow.council.in_(councils)))


def add_comment(session: Session, **fields: Any) -> CommentRow:
    row = CommentRow(**fields)
    session.add(row)
    session.flush()
    return row


def add_score(
    session: Session,
    *,
    comment_id: int,
    model_version: str,
    scores: dict[str, float],
    pii_spans: list[dict[str, Any]],
    intent: str,
    now: datetime,
) -> ScoreRow:
    row = ScoreRow(
        comment_id=comment_id,
        model_version=model_version,
        scores=scores,
        pii_spans=pii_spans,
        intent=intent,
        created_at=now,
    )
    session.add(row)
    return row


def add_decision(session: Session, **fields: Any) -> DecisionRow:
    row = DecisionRow(**fields)
    session.add(row)
    session.flush()
    return row


def add_review_item(session: Session, **fields: Any) -> ReviewItemRow:
    row = ReviewItemRow(**fields)
    session.add(row)
    return row


def audit(
    session: Session, *, actor: str, kind: str, subject: str, council: str | None, detail: dict[str, Any], now: datetime
) -> None:
    session.add(AuditEventRow(at=now, actor=actor, kind=kind, subject=subject, council=council, detail=detail))


def latest_score(session: Session, *, comment_id: int) -> ScoreRow | None:
    return session.scalar(
        select(ScoreRow).where(ScoreRow.comment_id == comment_id).order_by(ScoreRow.id.desc()).limit(1)
    )


def decisions_of(session: Session, *, comment_id: int) -> list[DecisionRow]:
    return list(
        session.scalars(select(DecisionRow).where(DecisionRow.comment_id == comment_id).order_by(DecisionRow.id))
    )


def officer_decisions_of(session: Session, *, comment_id: int) -> list[OfficerDecisionRow]:
    return list(
        session.scalars(
            select(OfficerDecisionRow)
            .where(OfficerDecisionRow.comment_id == comment_id)
            .order_by(OfficerDecisionRow.id)
        )
    )


def review_item_of(session: Session, *, comment_id: int) -> ReviewItemRow | None:
    return session.scalar(
        select(ReviewItemRow).where(ReviewItemRow.comment_id == comment_id).order_by(ReviewItemRow.id.desc()).limit(1)
    )


def author(session: Session, *, council: str, platform: str, handle: str) -> AuthorRow | None:
    return session.scalar(
        select(AuthorRow).where(
            AuthorRow.council == council, AuthorRow.platform == platform, AuthorRow.handle == handle
        )
    )


def author_or_new(session: Session, *, council: str, platform: str, handle: str) -> AuthorRow:
    row = author(session, council=council, platform=platform, handle=handle)
    if row is None:
        row = AuthorRow(council=council, platform=platform, handle=handle, warnings=0, blocked=False)
        session.add(row)
        session.flush()
    return row


def count_duplicates(
    session: Session, *, council: str, text_key: str, author_handle: str, post_id: str, since: datetime
) -> int:
    """Earlier comments with the same normalised text from the same author or on the same post."""
    return session.scalar(
        select(func.count()).select_from(CommentRow).where(
            CommentRow.council == council, CommentRow.text_key == text_key, CommentRow.received_at >= since,
            or_(CommentRow.author_handle == author_handle, CommentRow.post_id == post_id),
        )
    ) or 0  # fmt: skip


def comments_by_author(
    session: Session, *, councils: list[str], platform: str, handle: str, limit: int = 50
) -> list[CommentRow]:
    return list(session.scalars(
        select(CommentRow).where(CommentRow.council.in_(councils), CommentRow.platform == platform, CommentRow.author_handle == handle)
        .order_by(CommentRow.received_at.desc()).limit(limit)
    ))  # fmt: skip


def review_queue(session: Session, *, councils: list[str], queue: str | None = None, status: str = "open",
                 action: str | None = None, platform: str | None = None, order: str = "priority", limit: int = 100) -> list[tuple[ReviewItemRow, CommentRow, DecisionRow]]:  # fmt: skip
    query = (
        select(ReviewItemRow, CommentRow, DecisionRow)
        .join(CommentRow, CommentRow.id == ReviewItemRow.comment_id)
        .join(DecisionRow, DecisionRow.id == ReviewItemRow.decision_id)
        .where(ReviewItemRow.council.in_(councils), ReviewItemRow.status == status)
    )
    if queue:
        query = query.where(ReviewItemRow.queue == queue)
    if action:
        query = query.where(DecisionRow.action == action)
    if platform:
        query = query.where(CommentRow.platform == platform)
    if order == "uncertainty":
        query = query.order_by(ReviewItemRow.uncertainty.desc(), ReviewItemRow.id)
    else:  # urgency: priority first, then the earliest deadline (none last), then oldest
        query = query.order_by(
            ReviewItemRow.priority.desc(),
            ReviewItemRow.respond_by.is_(None),
            ReviewItemRow.respond_by,
            ReviewItemRow.id,
        )
    return [tuple(row) for row in session.execute(query.limit(limit))]  # type: ignore[misc]


def queue_depth(session: Session) -> dict[str, int]:
    rows = session.execute(
        select(ReviewItemRow.council, func.count())
        .where(ReviewItemRow.status == "open")
        .group_by(ReviewItemRow.council)
    )
    return {council: count for council, count in rows}


def purge_text(session: Session, *, before: datetime, now: datetime) -> int:
    """Remove comment text and handles past retention; scores, decisions and the audit trail stay."""
    result = session.execute(
        update(CommentRow).where(CommentRow.received_at < before, CommentRow.purged_at.is_(None))
        .values(text=None, author_handle=None, purged_at=now)
    )  # fmt: skip
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
