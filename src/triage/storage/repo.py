"""Storage functions over the tables; keyword-only arguments; callers own the transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, and_, bindparam, func, insert, or_, select, union_all, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from triage.storage.tables import (
    AuditEventRow,
    AuthorRow,
    Base,
    CommentRow,
    DecisionRow,
    OfficerDecisionRow,
    ReviewItemRow,
    ScoreRow,
    UserRow,
)


def find_comment(session: Session, *, council: str, platform: str, external_id: str) -> CommentRow | None:
    return session.scalar(
        select(CommentRow).where(
            CommentRow.council == council, CommentRow.platform == platform, CommentRow.external_id == external_id
        )
    )


def _by_key(council: Any, platform: Any, name: Any, keys: set[tuple[str, str, str]]) -> ColumnElement[bool]:
    """(council, platform, name) in `keys`, spelled so that an index on those columns is used:
    SQLite scans the whole table for a row-value IN of many tuples."""
    groups: dict[tuple[str, str], list[str]] = {}
    for key_council, key_platform, key_name in sorted(keys):
        groups.setdefault((key_council, key_platform), []).append(key_name)
    return or_(*(and_(council == c, platform == p, name.in_(names)) for (c, p), names in groups.items()))


def comment_ids_by_external(session: Session, keys: set[tuple[str, str, str]]) -> dict[tuple[str, str, str], int]:
    """Stored comments among (council, platform, external id) keys, in one query."""
    if not keys:
        return {}
    match = _by_key(CommentRow.council, CommentRow.platform, CommentRow.external_id, keys)
    rows = session.execute(
        select(CommentRow.council, CommentRow.platform, CommentRow.external_id, CommentRow.id).where(match)
    )
    return {(council, platform, external_id): id_ for council, platform, external_id, id_ in rows}


AuthorKey = tuple[str, str, str]  # (council, platform, handle)


def authors_by_handle(session: Session, keys: set[AuthorKey]) -> dict[AuthorKey, tuple[int, int, bool]]:
    """Known authors' (id, warnings, blocked) among (council, platform, handle) keys, in one query."""
    if not keys:
        return {}
    author = AuthorRow
    match = _by_key(author.council, author.platform, author.handle, keys)
    columns = (author.council, author.platform, author.handle, author.id, author.warnings, author.blocked)
    return {
        (c, p, h or ""): (id_, n, blocked)
        for c, p, h, id_, n, blocked in session.execute(select(*columns).where(match))
    }


def recent_texts(
    session: Session, *, councils: set[str], handles: set[str], posts: set[str], since: datetime, limit: int = 500
) -> list[tuple[str, str | None, str, str]]:
    """(council, author, post, text) of the latest comments since `since` by these authors or on these
    posts: where a near-copy of a new comment would be. One statement: the latest `limit` by the
    authors and the latest `limit` on the posts."""
    columns = (CommentRow.council, CommentRow.author_handle, CommentRow.post_id, CommentRow.text)
    recent = (CommentRow.council.in_(councils), CommentRow.received_at >= since, CommentRow.text.is_not(None))
    latest = [
        select(*columns).where(*recent, match).order_by(CommentRow.received_at.desc()).limit(limit).subquery().select()
        for match in (CommentRow.author_handle.in_(handles), CommentRow.post_id.in_(posts))
    ]
    rows = session.execute(union_all(*latest))
    return list(dict.fromkeys((c, h, p, t) for c, h, p, t in rows if t is not None))


def insert_values(
    session: Session, table: type[Base], rows: Sequence[dict[str, Any]], key: Sequence[str] = ()
) -> list[int]:
    """Insert rows given as plain values in one multi-row INSERT; with `key` (columns that tell the
    batch's rows apart), their ids in the rows' order. Core, not the ORM's bulk insert, which splits
    the batch wherever a column is None in one row and set in the next; ids matched by key, not by
    asking for RETURNING in order, which SQLite can only promise one statement a row."""
    if not rows:
        return []
    core = _table(table)
    columns = core.c
    if not key:
        session.execute(insert(core), rows)
        return []
    returning = insert(core).returning(columns.id, *(columns[name] for name in key))
    ids = {tuple(keyed): row_id for row_id, *keyed in session.execute(returning, rows)}
    return [ids[tuple(row[name] for name in key)] for row in rows]


def _table(model: type[Base]) -> Table:
    return cast(Table, model.__table__)


def insert_comments(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Comments given as plain values (columns of `comments`), in one INSERT: a load test's past."""
    insert_values(session, CommentRow, rows)


def get_comment(session: Session, *, comment_id: int, councils: list[str]) -> CommentRow | None:
    return session.scalar(select(CommentRow).where(CommentRow.id == comment_id, CommentRow.council.in_(councils)))


def audit_event(
    *, actor: str, kind: str, subject: str, council: str | None, detail: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """One audit event as plain values: `audit` adds one, `audit_all` inserts many at once."""
    return {"at": now, "actor": actor, "kind": kind, "subject": subject, "council": council, "detail": detail}


def audit(
    session: Session, *, actor: str, kind: str, subject: str, council: str | None, detail: dict[str, Any], now: datetime
) -> None:
    session.add(
        AuditEventRow(**audit_event(actor=actor, kind=kind, subject=subject, council=council, detail=detail, now=now))
    )


def audit_all(session: Session, events: Sequence[dict[str, Any]]) -> None:
    """Audit events made by `audit_event`, in one INSERT."""
    insert_values(session, AuditEventRow, events)


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


def latest_officer_decision(session: Session, *, review_item_id: int) -> OfficerDecisionRow | None:
    """The newest decision or undo on a review item."""
    return session.scalar(
        select(OfficerDecisionRow)
        .where(OfficerDecisionRow.review_item_id == review_item_id)
        .order_by(OfficerDecisionRow.id.desc())
        .limit(1)
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


def add_authors(session: Session, keys: set[tuple[str, str, str]]) -> dict[tuple[str, str, str], int]:
    """New authors, no warnings and not blocked, for (council, platform, handle) keys, in one
    INSERT; their ids by key."""
    ordered = sorted(keys)
    rows = [
        {"council": council, "platform": platform, "handle": handle, "warnings": 0, "blocked": False}
        for council, platform, handle in ordered
    ]
    ids = insert_values(session, AuthorRow, rows, key=("council", "platform", "handle"))
    return dict(zip(ordered, ids, strict=True))


def set_warnings(session: Session, warnings: dict[int, int]) -> None:
    """Authors' warning counts by author id, in one statement."""
    if warnings:
        rows = [{"row_id": author_id, "count": count} for author_id, count in warnings.items()]
        table = _table(AuthorRow)
        session.execute(
            update(table).where(table.c.id == bindparam("row_id")).values(warnings=bindparam("count")), rows
        )
        for author_id, count in warnings.items():  # rows this session already holds say so too
            held = session.identity_map.get(session.identity_key(AuthorRow, author_id))
            if held is not None:
                set_committed_value(held, "warnings", count)


def author_or_new(session: Session, *, council: str, platform: str, handle: str) -> AuthorRow:
    row = author(session, council=council, platform=platform, handle=handle)
    if row is None:
        row = AuthorRow(council=council, platform=platform, handle=handle, warnings=0, blocked=False)
        session.add(row)
        session.flush()
    return row


def comments_by_author(
    session: Session, *, councils: list[str], platform: str, handle: str, limit: int = 50
) -> list[CommentRow]:
    return list(
        session.scalars(
            select(CommentRow)
            .where(
                CommentRow.council.in_(councils), CommentRow.platform == platform, CommentRow.author_handle == handle
            )
            .order_by(CommentRow.received_at.desc())
            .limit(limit)
        )
    )


def review_queue(
    session: Session,
    *,
    councils: list[str],
    queue: str | None = None,
    status: str = "open",
    action: str | None = None,
    platform: str | None = None,
    order: str = "priority",
    limit: int = 100,
) -> list[tuple[ReviewItemRow, CommentRow, DecisionRow]]:
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


def queue_depth(session: Session, *, councils: list[str]) -> dict[str, int]:
    rows = session.execute(
        select(ReviewItemRow.council, func.count())
        .where(ReviewItemRow.status == "open", ReviewItemRow.council.in_(councils))
        .group_by(ReviewItemRow.council)
    )
    return {council: count for council, count in rows}


def purge_text(session: Session, *, before: datetime, now: datetime) -> int:
    """Remove comment text and handles past retention; scores, decisions and the audit trail stay."""
    result = session.execute(
        update(CommentRow)
        .where(CommentRow.received_at < before, CommentRow.purged_at.is_(None))
        .values(text=None, author_handle=None, redacted_text=None, purged_at=now)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def user_named(session: Session, *, username: str) -> UserRow | None:
    return session.scalar(select(UserRow).where(UserRow.username == username))


def copies_by_external_id(session: Session, *, prefix: str) -> dict[str, int]:
    """How many times each external id starting with `prefix` is stored (a load test's check)."""
    rows = session.execute(
        select(CommentRow.external_id, func.count())
        .where(CommentRow.external_id.startswith(prefix, autoescape=True))
        .group_by(CommentRow.external_id)
    )
    return {external_id: count for external_id, count in rows}
