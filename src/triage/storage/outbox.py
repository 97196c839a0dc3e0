"""Storage for the outbox: platform actions written with their decision, claimed by workers."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, aliased

from triage.storage.tables import ConnectionRow, OutboxRow, PlatformCommentRow

# The row type callers outside storage may name in annotations (they never build or query it).
OutboxAction = OutboxRow

FINAL = ("done", "dead", "shadow", "cancelled")
VISIBILITY = ("hide", "unhide", "delete")


def by_dedup_key(session: Session, *, key: str) -> OutboxRow | None:
    return session.scalars(select(OutboxRow).where(OutboxRow.dedup_key == key)).first()


def add(
    session: Session,
    *,
    connection_id: int,
    platform_comment_id: int,
    comment_id: int,
    action: str,
    cause: str,
    dedup_key: str,
    status: str,
    now: datetime,
    reply_text: str | None = None,
) -> OutboxRow:
    """Add an action, due now, unless one with its key exists (a reprocessed event or a repeated
    decision): then that one is returned."""
    found = by_dedup_key(session, key=dedup_key)
    if found is not None:
        return found
    row = OutboxRow(
        connection_id=connection_id,
        platform_comment_id=platform_comment_id,
        comment_id=comment_id,
        action=action,
        reply_text=reply_text,
        cause=cause,
        dedup_key=dedup_key,
        status=status,
        attempts=0,
        next_attempt_at=now,
        claimed_until=None,
        last_error="",
        created_at=now,
        delivered_at=None,
    )
    session.add(row)
    session.flush()
    return row


def get(session: Session, *, outbox_id: int) -> OutboxRow | None:
    return session.get(OutboxRow, outbox_id)


def last_visibility_action(session: Session, *, platform_comment_id: int) -> OutboxRow | None:
    """The newest hide/unhide/delete for an object that was not cancelled: what we last asked."""
    query = (
        select(OutboxRow)
        .where(
            OutboxRow.platform_comment_id == platform_comment_id,
            OutboxRow.action.in_(VISIBILITY),
            OutboxRow.status != "cancelled",
        )
        .order_by(OutboxRow.id.desc())
    )
    return session.scalars(query).first()


def of_cause(session: Session, *, cause: str) -> list[OutboxRow]:
    return list(session.scalars(select(OutboxRow).where(OutboxRow.cause == cause).order_by(OutboxRow.id)))


def cancel_unsent(session: Session, *, platform_comment_id: int | None = None, connection_id: int | None = None) -> int:
    """Cancel actions not yet sent: for a comment deleted on the platform, or a removed connection."""
    query = update(OutboxRow).where(OutboxRow.status == "pending")
    if platform_comment_id is not None:
        query = query.where(OutboxRow.platform_comment_id == platform_comment_id)
    if connection_id is not None:
        query = query.where(OutboxRow.connection_id == connection_id)
    return int(session.execute(query.values(status="cancelled")).rowcount)  # type: ignore[attr-defined]


def claim_due(session: Session, *, now: datetime, lease: timedelta, limit: int) -> list[OutboxRow]:
    """Due actions of live, working connections, held for `lease` and committed. An action waits
    for the earlier ones on the same comment (hide before delete, hide before unhide). On
    PostgreSQL, FOR UPDATE SKIP LOCKED lets several workers share the outbox without overlap."""
    earlier = aliased(OutboxRow)
    unsettled_before = (
        select(earlier.id)
        .where(
            earlier.platform_comment_id == OutboxRow.platform_comment_id,
            earlier.id < OutboxRow.id,
            earlier.status.not_in(FINAL),
        )
        .exists()
    )
    usable = select(ConnectionRow.id).where(
        ConnectionRow.status == "active",
        ConnectionRow.mode == "live",
        or_(ConnectionRow.paused_until.is_(None), ConnectionRow.paused_until <= now),
    )
    query = (
        select(OutboxRow)
        .where(
            or_(OutboxRow.status == "pending", (OutboxRow.status == "in_flight") & (OutboxRow.claimed_until < now)),
            OutboxRow.next_attempt_at <= now,
            OutboxRow.connection_id.in_(usable),
            ~unsettled_before,
        )
        .order_by(OutboxRow.next_attempt_at, OutboxRow.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=OutboxRow)
    )
    rows = list(session.scalars(query))
    for row in rows:
        row.status, row.claimed_until = "in_flight", now + lease
    session.commit()
    return rows


def next_due(session: Session) -> datetime | None:
    """When the earliest waiting action falls due (None when nothing waits)."""
    query = select(func.min(OutboxRow.next_attempt_at)).where(OutboxRow.status.in_(("pending", "in_flight")))
    return session.scalars(query).first()


def next_wake(session: Session, *, now: datetime) -> datetime | None:
    """When the next waiting action of a live, working connection can be claimed (None: nothing
    waits that a worker could send; actions of stopped connections wait for `resume`)."""
    query = (
        select(OutboxRow.status, OutboxRow.next_attempt_at, OutboxRow.claimed_until, ConnectionRow.paused_until)
        .join(ConnectionRow, ConnectionRow.id == OutboxRow.connection_id)
        .where(
            OutboxRow.status.in_(("pending", "in_flight")),
            ConnectionRow.status == "active",
            ConnectionRow.mode == "live",
        )
    )
    times = []
    for status, due, claimed_until, paused_until in session.execute(query):
        candidates = [due, paused_until or due]
        if status == "in_flight" and claimed_until is not None:
            candidates.append(claimed_until)
        times.append(max(candidates))
    return min(times, default=None)


def rows(
    session: Session, *, status: str | None = None, councils: list[str] | None = None, limit: int = 200
) -> list[OutboxRow]:
    query = select(OutboxRow)
    if status is not None:
        query = query.where(OutboxRow.status == status)
    if councils is not None:
        query = query.join(ConnectionRow, ConnectionRow.id == OutboxRow.connection_id).where(
            ConnectionRow.council.in_(councils)
        )
    return list(session.scalars(query.order_by(OutboxRow.id.desc()).limit(limit)))


def counts_by_connection(session: Session) -> dict[int, dict[str, int]]:
    query = select(OutboxRow.connection_id, OutboxRow.status, func.count()).group_by(
        OutboxRow.connection_id, OutboxRow.status
    )
    out: dict[int, dict[str, int]] = {}
    for connection_id, status, count in session.execute(query):
        out.setdefault(connection_id, {})[status] = int(count)
    return out


def of_comment(session: Session, *, platform_comment_id: int) -> list[OutboxRow]:
    query = select(OutboxRow).where(OutboxRow.platform_comment_id == platform_comment_id).order_by(OutboxRow.id)
    return list(session.scalars(query))


def with_objects(session: Session, *, comment_ids: list[int] | None = None) -> list[tuple[OutboxRow, str, str]]:
    """Actions with the platform and id of the object each acts on, oldest first (of the given
    stored comments' platform objects, or all)."""
    query = select(OutboxRow, PlatformCommentRow.platform, PlatformCommentRow.object_id).join(
        PlatformCommentRow, PlatformCommentRow.id == OutboxRow.platform_comment_id
    )
    if comment_ids is not None:
        query = query.where(OutboxRow.comment_id.in_(comment_ids))
    return [(row, platform, object_id) for row, platform, object_id in session.execute(query.order_by(OutboxRow.id))]
