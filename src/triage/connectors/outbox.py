"""Platform actions into the outbox, inside the caller's transaction: automatic decisions, officers'
decisions and their undo, officers' replies. Shadow connections get a record, nothing is sent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from triage.policy import Profile
from triage.storage import connections as store
from triage.storage import outbox as outbox_store
from triage.storage import repo
from triage.storage.connections import Connection, PlatformComment
from triage.storage.outbox import OutboxAction

DELETABLE = ("facebook", "instagram")  # X lets an account hide replies to it, never delete them
REVERSE = {"hide": "unhide", "unhide": "hide"}
MAX_REPLY = {"facebook": 8000, "instagram": 2200, "x": 280}


class OutboxError(ValueError):
    """An action that cannot be queued (names why)."""


def removal_actions(platform: str, profile: Profile | None) -> list[str]:
    """Hide first (reversible, as the tools councils use do), then delete where the profile asks
    and the platform allows."""
    wants_delete = profile is not None and profile.platform.remove == "delete"
    return ["hide", "delete"] if wants_delete and platform in DELETABLE else ["hide"]


def _enqueue(
    session: Session,
    target: PlatformComment,
    connection: Connection,
    *,
    comment_id: int,
    action: str,
    cause: str,
    now: datetime,
    reply_text: str | None = None,
) -> OutboxAction:
    return outbox_store.add(
        session,
        connection_id=connection.id,
        platform_comment_id=target.id,
        comment_id=comment_id,
        action=action,
        cause=cause,
        dedup_key=f"{target.id}:{action}:{cause}",
        status="pending" if connection.mode == "live" else "shadow",
        now=now,
        reply_text=reply_text,
    )


def _towards(
    session: Session,
    target: PlatformComment,
    connection: Connection,
    *,
    comment_id: int,
    actions: list[str],
    cause: str,
    now: datetime,
) -> list[OutboxAction]:
    """Queue what moves the comment to the wanted state, skipping what it is already asked to be."""
    last = outbox_store.last_visibility_action(session, platform_comment_id=target.id)
    if target.state == "deleted" or (last is not None and last.action == "delete"):
        return []
    if actions == ["unhide"] and (last is None or last.action == "unhide"):
        return []
    if actions[0] == "hide" and last is not None and last.action == "hide":
        actions = actions[1:]
    return [
        _enqueue(session, target, connection, comment_id=comment_id, action=a, cause=cause, now=now) for a in actions
    ]


def _target(session: Session, comment_id: int) -> tuple[PlatformComment, Connection] | None:
    target = store.platform_comment_of(session, comment_id=comment_id)
    if target is None:
        return None  # the comment did not come through a connection: nothing to do on a platform
    connection = store.connection_by_id(session, connection_id=target.connection_id)
    if connection is None or connection.status == "removed":
        return None
    return target, connection


def enqueue_automatic(
    session: Session, *, comment_id: int, action: str, needs_review: bool, profile: Profile | None, now: datetime
) -> list[OutboxAction]:
    """A removal the profile let run without a human; anything for review waits for the officer."""
    found = _target(session, comment_id)
    if found is None or action != "remove" or needs_review:
        return []
    target, connection = found
    actions = removal_actions(connection.platform, profile)
    return _towards(
        session, target, connection, comment_id=comment_id, actions=actions, cause=f"automatic:{comment_id}", now=now
    )


def enqueue_for_decision(
    session: Session,
    *,
    comment_id: int,
    action: str,
    decision_id: int,
    profile: Profile | None,
    now: datetime,
    reply: str = "",
) -> list[OutboxAction]:
    """An officer's decision: remove hides (and deletes where the profile says); allow or respond
    unhides what was hidden; respond with a reply posts it under the comment. Call it in the
    decision's transaction; it does not commit (undoing the decision cancels an unsent reply)."""
    found = _target(session, comment_id)
    if found is None or action not in ("remove", "allow", "respond"):
        return []
    target, connection = found
    actions = removal_actions(connection.platform, profile) if action == "remove" else ["unhide"]
    cause = f"officer:{decision_id}"
    queued = _towards(session, target, connection, comment_id=comment_id, actions=actions, cause=cause, now=now)
    if action == "respond" and reply.strip() and target.state != "deleted":  # no reply under a deleted comment
        queued.append(_reply(session, target, connection, comment_id=comment_id, text=reply, cause=cause, now=now))
    return queued


def enqueue_for_undo(session: Session, *, comment_id: int, undoes_id: int, now: datetime) -> list[OutboxAction]:
    """An officer took a decision back: unsent actions are cancelled, sent hides are unhidden (a
    delete cannot be undone; the review page says so before it is made). Does not commit."""
    found = _target(session, comment_id)
    if found is None:
        return []
    target, connection = found
    added = []
    for row in outbox_store.of_cause(session, cause=f"officer:{undoes_id}"):
        if row.status == "pending":
            row.status = "cancelled"
        elif row.action in REVERSE and row.status != "cancelled":
            added.append(
                _enqueue(
                    session,
                    target,
                    connection,
                    comment_id=comment_id,
                    action=REVERSE[row.action],
                    cause=f"undo:{undoes_id}",
                    now=now,
                )
            )
    session.flush()
    return added


def _reply(
    session: Session,
    target: PlatformComment,
    connection: Connection,
    *,
    comment_id: int,
    text: str,
    cause: str,
    now: datetime,
) -> OutboxAction:
    limit = MAX_REPLY[connection.platform]
    if not text.strip() or len(text) > limit:
        raise OutboxError(f"a reply needs 1 to {limit} characters on {connection.platform}")
    return _enqueue(
        session, target, connection, comment_id=comment_id, action="reply", cause=cause, now=now, reply_text=text
    )


def enqueue_reply(session: Session, *, comment_id: int, text: str, key: str, now: datetime) -> OutboxAction:
    """An officer's public reply under the comment; `key` makes a resubmitted form harmless."""
    found = _target(session, comment_id)
    if found is None:
        raise OutboxError("this comment did not come from a connected account: reply on the platform")
    target, connection = found
    return _reply(session, target, connection, comment_id=comment_id, text=text, cause=f"reply:{key}", now=now)


def reply_channel(session: Session, *, comment_id: int) -> tuple[str, str] | None:
    """Where an officer's reply to this comment goes: (platform, "live" or "shadow"), or None when
    the comment came through no connection (the officer copies the reply onto the platform)."""
    found = _target(session, comment_id)
    return (found[1].platform, found[1].mode) if found is not None else None


def retry_dead(
    session: Session,
    *,
    now: datetime,
    outbox_id: int | None = None,
    councils: list[str] | None = None,
    actor: str,
) -> int:
    """Send dead letters again (one, or all in the given councils) from a fresh count; committed.
    Each retry is in the audit log under `actor`, whoever asked (dashboard, API or CLI)."""
    chosen = outbox_store.rows(session, status="dead", councils=councils, limit=10_000)
    count = 0
    for row in chosen:
        if outbox_id is None or row.id == outbox_id:
            row.status, row.attempts, row.next_attempt_at, row.claimed_until = "pending", 0, now, None
            count += 1
            _audit_retry(session, row, actor, now)
    session.commit()
    return count


def _audit_retry(session: Session, row: OutboxAction, actor: str, now: datetime) -> None:
    connection = store.connection_by_id(session, connection_id=row.connection_id)
    repo.audit(
        session,
        actor=actor,
        kind="dead_letter_retried",
        subject=f"comment:{row.comment_id}",
        council=connection.council if connection else None,
        detail={"outbox_id": row.id, "action": row.action},
        now=now,
    )
