"""Queries for data protection: everything held about a handle, and purging expired comments."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import String, cast, delete, exists, literal, select, union, update
from sqlalchemy.orm import Session

from triage.storage.tables import (
    AuditEventRow,
    AuthorRow,
    CommentRow,
    ConnectionRow,
    DecisionRow,
    InboundEventRow,
    OfficerDecisionRow,
    OutboxRow,
    PlatformCommentRow,
    ReviewItemRow,
    ScoreRow,
)

# The row types callers outside storage may name in annotations (they never build or query them).
Author = AuthorRow
AuditEvent = AuditEventRow
StoredComment = CommentRow
Score = ScoreRow
StoredDecision = DecisionRow
OfficerDecisionRecord = OfficerDecisionRow


def authors_with_handle(session: Session, *, handle: str, councils: Sequence[str] | None) -> list[AuthorRow]:
    query = select(AuthorRow).where(AuthorRow.handle == handle)
    if councils is not None:
        query = query.where(AuthorRow.council.in_(councils))
    return list(session.scalars(query.order_by(AuthorRow.council, AuthorRow.platform)))


def comments_with_handle(session: Session, *, handle: str, councils: Sequence[str] | None) -> list[CommentRow]:
    query = select(CommentRow).where(CommentRow.author_handle == handle)
    if councils is not None:
        query = query.where(CommentRow.council.in_(councils))
    return list(session.scalars(query.order_by(CommentRow.council, CommentRow.platform, CommentRow.id)))


def _by_comment(session: Session, table: Any, ids: list[int]) -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = {i: [] for i in ids}
    for row in session.scalars(select(table).where(table.comment_id.in_(ids)).order_by(table.id)):
        grouped[row.comment_id].append(row)
    return grouped


def scores_of(session: Session, ids: list[int]) -> dict[int, list[ScoreRow]]:
    return _by_comment(session, ScoreRow, ids)


def decisions_of(session: Session, ids: list[int]) -> dict[int, list[DecisionRow]]:
    return _by_comment(session, DecisionRow, ids)


def review_items_of(session: Session, ids: list[int]) -> dict[int, list[ReviewItemRow]]:
    return _by_comment(session, ReviewItemRow, ids)


def officer_decisions_of(session: Session, ids: list[int]) -> dict[int, list[OfficerDecisionRow]]:
    return _by_comment(session, OfficerDecisionRow, ids)


def audit_events_about(session: Session, *, subjects: list[str]) -> list[AuditEventRow]:
    """Events whose subject is one of `comment:<id>` or `author:<id>`."""
    query = select(AuditEventRow).where(AuditEventRow.subject.in_(subjects)).order_by(AuditEventRow.id)
    return list(session.scalars(query))


def councils_with_unpurged_comments(session: Session) -> list[str]:
    query = select(CommentRow.council).where(CommentRow.purged_at.is_(None)).distinct()
    return sorted(session.scalars(query))


def councils_with_data(session: Session) -> list[str]:
    """Councils that have (or had) a platform connection or any stored comment."""
    query = union(select(ConnectionRow.council), select(CommentRow.council))
    return sorted(session.scalars(query))


def blank_inbound_bodies(session: Session, *, before: datetime) -> int:
    """Blank raw webhook bodies (comment text, handles) received before `before`; the row stays
    with its status so counts hold. One never processed is marked failed: nothing is left to process."""
    expired = (InboundEventRow.received_at < before) & (InboundEventRow.body != "")
    session.execute(
        update(InboundEventRow)
        .where(expired, InboundEventRow.status.in_(("pending", "processing")))
        .values(status="failed", error="purged by retention before it was processed", claimed_until=None)
    )
    result = session.execute(
        update(InboundEventRow)
        .where(expired)
        .values(body="", body_hash=literal("purged:").concat(cast(InboundEventRow.id, String)))
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def purge_comments(session: Session, *, council: str, before: datetime, now: datetime) -> int:
    """Remove what identifies a person from a council's comments received before `before`: the
    text and its dedup key, the handle, the post topic, the platform's id (replaced by a tag) and
    officers' notes and replies; the platform object's id once its newest revision goes; then
    authors with nothing left unpurged. Scores, decisions, review items, officers' decisions,
    platform actions and the audit trail stay."""
    expired = select(CommentRow.id).where(
        CommentRow.council == council, CommentRow.received_at < before, CommentRow.purged_at.is_(None)
    )
    ids = list(session.scalars(expired))
    if not ids:
        return 0
    session.execute(
        update(OfficerDecisionRow).where(OfficerDecisionRow.comment_id.in_(ids)).values(note="", reply=None)
    )
    session.execute(update(OutboxRow).where(OutboxRow.comment_id.in_(ids)).values(reply_text=None))
    session.execute(
        update(PlatformCommentRow)
        .where(PlatformCommentRow.comment_id.in_(ids))
        .values(object_id=literal("purged:").concat(cast(PlatformCommentRow.id, String)))
    )
    session.execute(
        update(CommentRow)
        .where(CommentRow.id.in_(ids))
        .values(
            text=None,
            text_key="",
            author_handle=None,
            post_topic="",
            permalink=None,
            post_text=None,
            external_id=literal("purged:").concat(cast(CommentRow.id, String)),
            purged_at=now,
        )
    )
    _drop_authors_without_comments(session, council=council)
    return len(ids)


def _drop_authors_without_comments(session: Session, *, council: str) -> None:
    unpurged = exists().where(
        CommentRow.council == AuthorRow.council,
        CommentRow.platform == AuthorRow.platform,
        CommentRow.author_handle == AuthorRow.handle,
        CommentRow.purged_at.is_(None),
    )
    session.execute(delete(AuthorRow).where(AuthorRow.council == council, ~unpurged))
