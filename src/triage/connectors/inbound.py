"""Webhook deliveries: stored raw before the 200, then processed through ingest (idempotent on the
platform's comment id); edits are new revisions, deletions leave the queue."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from triage.connectors import outbox
from triage.connectors.intake import Ingested, Intake
from triage.connectors.payloads import CommentEvent, PayloadError, meta_events, x_events
from triage.storage import connections as store
from triage.storage import outbox as outbox_store
from triage.storage.connections import Connection
from triage.types import IncomingComment

log = logging.getLogger("triage.connectors")
PARSERS = {"meta": meta_events, "x": x_events}
MAX_ATTEMPTS = 5


def receive(session: Session, *, source: str, body: bytes, now: datetime) -> tuple[int, bool]:
    """Check the body parses, store it durably (committed) and return (event id, new?). A
    redelivery of the same bytes is found, not stored twice."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise PayloadError("the body is not UTF-8") from None
    PARSERS[source](text)
    return store.store_inbound(session, platform=source, body=text, now=now)


def incoming(event: CommentEvent, council: str) -> IncomingComment:
    return IncomingComment(
        council=council,
        platform=event.platform,
        external_id=event.external_id,
        author_handle=event.author_id,
        post_id=event.post_id,
        post_topic="",
        text=event.text,
        created_at=event.created_at,
        permalink=comment_url(event.platform, event.object_id),
    )


def comment_url(platform: str, object_id: str) -> str | None:
    """Where an officer sees the comment on the platform (Instagram has no address for one)."""
    if platform == "facebook":
        return f"https://www.facebook.com/{object_id}"
    if platform == "x":
        return f"https://x.com/i/web/status/{object_id}"
    return None


def ingest_events(
    sessions: Callable[[], Session], intake: Intake, events: Sequence[CommentEvent], now: datetime
) -> int:
    """Ingest added and edited comments, each recorded as a platform object with its automatic
    actions queued in the ingest's own transaction (transactional outbox: a stored comment never
    lacks its actions); then apply deletions. Safe to repeat: every step is idempotent."""
    with sessions() as session:
        upserts, removals = _route(session, events)

    def along_with(session: Session, index: int, result: Ingested) -> None:
        event, connection = upserts[index]
        _after_ingest(session, event, connection, result, intake, now)

    intake.ingest([incoming(e, c.council) for e, c in upserts], along_with)
    if removals:
        with sessions() as session:
            for event in removals:
                removed(session, event, now)
            session.commit()
    return len(upserts) + len(removals)


def _route(
    session: Session, events: Sequence[CommentEvent]
) -> tuple[list[tuple[CommentEvent, Connection]], list[CommentEvent]]:
    upserts, removals = [], []
    for event in events:
        connection = store.connection(session, platform=event.platform, account_id=event.account_id)
        if connection is None or connection.status == "removed":
            continue  # not an account we serve (any more)
        if event.verb == "remove":
            removals.append(event)
            continue
        known = store.platform_comment(session, platform=event.platform, object_id=event.object_id)
        if known is None or known.state != "deleted":
            upserts.append((event, connection))
    return upserts, removals


def _after_ingest(
    session: Session, event: CommentEvent, connection: Connection, result: Ingested, intake: Intake, now: datetime
) -> None:
    target = store.note_platform_comment(
        session, connection=connection, object_id=event.object_id, comment_id=result.comment_id, now=now
    )
    if event.verb == "edited":  # the newest revision is the one to review; an edit never unhides
        older = store.revisions_of(
            session, council=connection.council, platform=event.platform, object_id=event.object_id
        )
        store.withdraw_review_items(
            session, comment_ids=[c for c in older if c != target.comment_id], status="superseded"
        )
    outbox.enqueue_automatic(
        session,
        comment_id=result.comment_id,
        action=result.action,
        needs_review=result.needs_review,
        profile=intake.triage.profiles(connection.council),
        now=now,
    )


def removed(session: Session, event: CommentEvent, now: datetime) -> None:
    """The author (or the page) deleted the comment: mark it, take it off the queue, send nothing."""
    target = store.platform_comment(session, platform=event.platform, object_id=event.object_id)
    if target is None:
        return
    target.state, target.deleted_at, target.updated_at = "deleted", now, now
    revisions = store.revisions_of(
        session, council=target.council, platform=target.platform, object_id=target.object_id
    )
    store.withdraw_review_items(session, comment_ids=revisions, status="withdrawn")
    outbox_store.cancel_unsent(session, platform_comment_id=target.id)


def process_pending(
    sessions: Callable[[], Session],
    intake: Intake,
    *,
    now: datetime,
    lease: timedelta = timedelta(minutes=5),
    limit: int = 20,
) -> int:
    """Process stored deliveries, all claimed ones as one ingest batch (one scoring call, one
    group commit); if that fails, each alone, so only a faulty one fails. Returns how many were claimed."""
    with sessions() as session:
        claimed = [
            (e.id, e.platform, e.body, e.attempts)
            for e in store.claim_inbound(session, now=now, lease=lease, limit=limit)
        ]
    readable: list[tuple[int, int, list[CommentEvent]]] = []
    for event_id, source, body, attempts in claimed:
        try:
            readable.append((event_id, attempts, PARSERS[source](body)))
        except PayloadError as problem:
            _finish(sessions, [event_id], "failed", str(problem), now)
    try:
        ingest_events(sessions, intake, [event for _, _, events in readable for event in events], now)
        _finish(sessions, [event_id for event_id, _, _ in readable], "done", "", now)
    except Exception:
        for event_id, attempts, events in readable:
            _process_one(sessions, intake, event_id, attempts, events, now)
    return len(claimed)


def _process_one(
    sessions: Callable[[], Session],
    intake: Intake,
    event_id: int,
    attempts: int,
    events: list[CommentEvent],
    now: datetime,
) -> None:
    status, error = "done", ""
    try:
        ingest_events(sessions, intake, events, now)
    except Exception as problem:  # the database or the model: try again, then show it
        log.warning("inbound event %s failed (%s)", event_id, type(problem).__name__)
        status, error = ("failed" if attempts >= MAX_ATTEMPTS else "pending"), type(problem).__name__
    _finish(sessions, [event_id], status, error, now)


def _finish(sessions: Callable[[], Session], event_ids: list[int], status: str, error: str, now: datetime) -> None:
    with sessions() as session:
        for event_id in event_ids:
            store.finish_inbound(session, event_id=event_id, status=status, error=error, now=now)
        session.commit()
