"""Server-side sessions of signed-in people: opened at sign-in, checked on every request, ended
by sign-out, disabling the account, a password change, or the idle and absolute timeouts."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from triage.storage.tables import UserRow, UserSessionRow

# Seen-at is written at most this often: a page view need not be a database write.
TOUCH_EVERY = timedelta(seconds=60)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(session: Session, *, user_id: int, now: datetime) -> str:
    """A new session; returns its token (for the signed cookie), stored only as a digest."""
    token = secrets.token_urlsafe(32)
    session.add(UserSessionRow(token_hash=_digest(token), user_id=user_id, created_at=now, last_seen_at=now))
    return token


def session_user(
    session: Session, *, token: str, now: datetime, idle: timedelta, absolute: timedelta
) -> UserRow | None:
    """The person a live session belongs to, or None (unknown, ended, timed out, disabled)."""
    row = session.scalar(select(UserSessionRow).where(UserSessionRow.token_hash == _digest(token)))
    if row is None or row.ended_at is not None:
        return None
    if now - row.last_seen_at > idle or now - row.created_at > absolute:
        row.ended_at, row.ended_why = now, "timed_out"
        return None
    user = session.get(UserRow, row.user_id)
    if user is None or user.disabled:
        return None
    if now - row.last_seen_at > TOUCH_EVERY:
        row.last_seen_at = now
    return user


def end_session(session: Session, *, token: str, now: datetime, why: str = "signed_out") -> None:
    session.execute(
        update(UserSessionRow)
        .where(UserSessionRow.token_hash == _digest(token), UserSessionRow.ended_at.is_(None))
        .values(ended_at=now, ended_why=why)
    )


def end_user_sessions(session: Session, *, user_id: int, now: datetime, why: str) -> int:
    """End every live session of one person; returns how many were live."""
    result = session.execute(
        update(UserSessionRow)
        .where(UserSessionRow.user_id == user_id, UserSessionRow.ended_at.is_(None))
        .values(ended_at=now, ended_why=why)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
