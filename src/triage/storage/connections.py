"""Storage for platform connections, raw webhook events and comments as platform objects."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from triage.storage.tables import (
    CommentRow,
    ConnectionRow,
    InboundEventRow,
    PlatformCommentRow,
    ReviewItemRow,
)

# The row types callers outside storage may name in annotations (they never build or query them).
Connection = ConnectionRow
PlatformComment = PlatformCommentRow

EDIT_MARK = "#edit-"  # a stored comment's external id for an edited revision: <object id>#edit-<key>


def connection(session: Session, *, platform: str, account_id: str) -> ConnectionRow | None:
    query = select(ConnectionRow).where(ConnectionRow.platform == platform, ConnectionRow.account_id == account_id)
    return session.scalars(query).first()


def connection_by_id(session: Session, *, connection_id: int) -> ConnectionRow | None:
    return session.get(ConnectionRow, connection_id)


def connections(session: Session, *, council: str | None = None) -> list[ConnectionRow]:
    query = select(ConnectionRow).where(ConnectionRow.status != "removed")
    if council is not None:
        query = query.where(ConnectionRow.council == council)
    return list(session.scalars(query.order_by(ConnectionRow.council, ConnectionRow.platform, ConnectionRow.id)))


def connect(
    session: Session,
    *,
    platform: str,
    account_id: str,
    council: str,
    token_env: str | None,
    token_file: str | None,
    mode: str,
    now: datetime,
) -> ConnectionRow:
    """An active connection of an account: a removed one is taken up again (its id and history
    stay), else a new one is added. The caller checks that no live connection exists."""
    row = connection(session, platform=platform, account_id=account_id)
    if row is None:
        row = ConnectionRow(platform=platform, account_id=account_id, created_at=now)
        session.add(row)
    row.council, row.token_env, row.token_file, row.mode = council, token_env, token_file, mode
    row.status, row.status_detail, row.paused_until, row.updated_at = "active", "", None, now
    session.flush()
    return row


def store_inbound(session: Session, *, platform: str, body: str, now: datetime) -> tuple[int, bool]:
    """Store a delivery and commit; an identical redelivery is found, not stored twice."""
    digest = hashlib.sha256(body.encode()).hexdigest()
    row = InboundEventRow(platform=platform, body=body, body_hash=digest, status="pending", attempts=0, received_at=now)
    session.add(row)
    try:
        session.commit()
        return row.id, True
    except IntegrityError:
        session.rollback()
    query = select(InboundEventRow.id).where(InboundEventRow.platform == platform, InboundEventRow.body_hash == digest)
    return int(session.scalars(query).one()), False


def claim_inbound(session: Session, *, now: datetime, lease: timedelta, limit: int) -> list[InboundEventRow]:
    """Pending events (or ones whose worker died mid-way), held for `lease`; committed. Several
    workers on PostgreSQL skip each other's rows."""
    query = (
        select(InboundEventRow)
        .where(
            or_(
                InboundEventRow.status == "pending",
                (InboundEventRow.status == "processing") & (InboundEventRow.claimed_until < now),
            )
        )
        .order_by(InboundEventRow.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    rows = list(session.scalars(query))
    for row in rows:
        row.status, row.claimed_until, row.attempts = "processing", now + lease, row.attempts + 1
    session.commit()
    return rows


def finish_inbound(session: Session, *, event_id: int, status: str, error: str, now: datetime) -> None:
    """Not committed: the caller commits it with what processing the event wrote."""
    session.execute(
        update(InboundEventRow)
        .where(InboundEventRow.id == event_id)
        .values(status=status, error=error[:500], processed_at=now, claimed_until=None)
    )


def inbound_counts(session: Session) -> dict[str, int]:
    from sqlalchemy import func

    query = select(InboundEventRow.status, func.count()).group_by(InboundEventRow.status)
    return {status: int(count) for status, count in session.execute(query)}


def platform_comment(session: Session, *, platform: str, object_id: str) -> PlatformCommentRow | None:
    query = select(PlatformCommentRow).where(
        PlatformCommentRow.platform == platform, PlatformCommentRow.object_id == object_id
    )
    return session.scalars(query).first()


def platform_comment_of(session: Session, *, comment_id: int) -> PlatformCommentRow | None:
    """The platform object a stored comment (any revision of it) is."""
    comment = session.get(CommentRow, comment_id)
    if comment is None:
        return None
    return platform_comment(session, platform=comment.platform, object_id=comment.external_id.split(EDIT_MARK)[0])


def note_platform_comment(
    session: Session, *, connection: ConnectionRow, object_id: str, comment_id: int, now: datetime
) -> PlatformCommentRow:
    """Record (or move to a newer revision) the platform object behind a stored comment."""
    row = platform_comment(session, platform=connection.platform, object_id=object_id)
    if row is None:
        row = PlatformCommentRow(
            connection_id=connection.id,
            council=connection.council,
            platform=connection.platform,
            object_id=object_id,
            comment_id=comment_id,
            revisions=1,
            state="visible",
            updated_at=now,
        )
        session.add(row)
    elif row.comment_id != comment_id and comment_id > row.comment_id:
        row.comment_id, row.revisions, row.updated_at = comment_id, row.revisions + 1, now
    session.flush()
    return row


def revisions_of(session: Session, *, council: str, platform: str, object_id: str) -> list[int]:
    query = select(CommentRow.id).where(
        CommentRow.council == council,
        CommentRow.platform == platform,
        or_(CommentRow.external_id == object_id, CommentRow.external_id.startswith(object_id + EDIT_MARK)),
    )
    return list(session.scalars(query.order_by(CommentRow.id)))


def withdraw_review_items(session: Session, *, comment_ids: Sequence[int], status: str) -> int:
    """Take open items off the queue (`superseded` by an edit, `withdrawn` when deleted)."""
    if not comment_ids:
        return 0
    result = session.execute(
        update(ReviewItemRow)
        .where(ReviewItemRow.comment_id.in_(comment_ids), ReviewItemRow.status == "open")
        .values(status=status, claimed_by=None, claimed_until=None)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
