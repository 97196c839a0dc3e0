"""API keys (random, stored as SHA-256 hashes) and user accounts (argon2id password hashes)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from triage.labels import API_SCOPES, ROLES
from triage.passwords import check_password
from triage.storage.repo import audit
from triage.storage.sessions import end_user_sessions
from triage.storage.tables import ApiKeyRow, UserRow

# The row types callers outside storage may name in annotations (they never build or query them).
Account = UserRow
ApiKey = ApiKeyRow

KEY_PREFIX = "tri"
_hasher = PasswordHasher()


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_key(
    session: Session,
    *,
    name: str,
    councils: list[str],
    scopes: list[str],
    now: datetime,
    expires_at: datetime | None = None,
) -> str:
    """Store a new key and return it in plain text: the only time it is ever shown."""
    unknown = set(scopes) - set(API_SCOPES)
    if unknown:
        raise ValueError(f"unknown scopes {sorted(unknown)}; choose from {', '.join(API_SCOPES)}")
    if expires_at is not None and expires_at <= now:
        raise ValueError("a key's expiry must be in the future")
    prefix, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    row = ApiKeyRow(
        name=name, prefix=prefix, key_hash=_digest(secret), councils=councils, scopes=scopes, created_at=now
    )
    row.expires_at = expires_at
    session.add(row)
    return f"{KEY_PREFIX}_{prefix}_{secret}"


def verify_api_key(session: Session, *, presented: str, now: datetime | None = None) -> ApiKeyRow | None:
    """The key's row, or None if it is unknown, wrong, revoked or past its expiry."""
    parts = presented.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        return None
    row = session.scalar(select(ApiKeyRow).where(ApiKeyRow.prefix == parts[1]))
    if row is None or row.revoked_at is not None or not hmac.compare_digest(row.key_hash, _digest(parts[2])):
        return None
    if row.expires_at is not None and row.expires_at <= (now or datetime.now(UTC)):
        return None
    return row


def api_keys(session: Session) -> list[ApiKeyRow]:
    return list(session.scalars(select(ApiKeyRow).order_by(ApiKeyRow.id)))


def revoke_api_key(session: Session, *, prefix: str, now: datetime) -> bool:
    row = session.scalar(select(ApiKeyRow).where(ApiKeyRow.prefix == prefix))
    if row is None:
        return False
    row.revoked_at = now
    return True


class AccountError(ValueError):
    """An account operation that cannot be done as asked (the message says why, never a hash)."""


def find_user(session: Session, *, username: str) -> UserRow | None:
    return session.scalar(select(UserRow).where(UserRow.username == username))


def has_admin(session: Session) -> bool:
    return session.scalar(select(UserRow.id).where(UserRow.role == "admin").limit(1)) is not None


def _existing_user(session: Session, username: str) -> UserRow:
    row = find_user(session, username=username)
    if row is None:
        raise AccountError(f"no account named {username!r}")
    return row


def create_user(
    session: Session, *, username: str, password: str, role: str, councils: list[str], now: datetime
) -> UserRow:
    """A new account; refuses an unknown role, a name already taken and a weak password. When
    another process takes the name between the check and the insert, the session is rolled back."""
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}; choose from {', '.join(ROLES)}")
    taken = AccountError(f"an account named {username!r} exists; use `triage user set-password` to change it")
    if find_user(session, username=username) is not None:
        raise taken
    check_password(password, username=username)
    row = UserRow(username=username, password_hash=_hasher.hash(password), role=role, councils=councils, created_at=now)
    session.add(row)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise taken from None
    return row


def set_password(session: Session, *, username: str, password: str, now: datetime, actor: str = "cli") -> int:
    """A new password; every session of the account ends (audited). Returns how many were live."""
    row = _existing_user(session, username)
    check_password(password, username=username)
    row.password_hash = _hasher.hash(password)
    ended = end_user_sessions(session, user_id=row.id, now=now, why="password_changed")
    detail = {"sessions_ended": ended}
    audit(session, actor=actor, kind="password_changed", subject=f"user:{row.id}", council=None, detail=detail, now=now)
    return ended


def set_disabled(session: Session, *, username: str, disabled: bool, now: datetime, actor: str = "cli") -> int:
    """Disable (ending every session: returns how many were live) or enable an account (audited)."""
    row = _existing_user(session, username)
    row.disabled = disabled
    ended = end_user_sessions(session, user_id=row.id, now=now, why="disabled") if disabled else 0
    kind = "account_disabled" if disabled else "account_enabled"
    detail = {"sessions_ended": ended}
    audit(session, actor=actor, kind=kind, subject=f"user:{row.id}", council=None, detail=detail, now=now)
    return ended


def authenticate(session: Session, *, username: str, password: str) -> UserRow | None:
    row = find_user(session, username=username)
    if row is None or row.disabled:
        _hasher.hash(password)  # same work either way: no timing hint that the name exists
        return None
    try:
        _hasher.verify(row.password_hash, password)
    except VerificationError:
        return None
    return row


def user_names(session: Session, *, user_ids: set[int]) -> dict[int, str]:
    """People's user names by id, in one query (claims and history name who did what)."""
    if not user_ids:
        return {}
    rows = session.execute(select(UserRow.id, UserRow.username).where(UserRow.id.in_(user_ids)))
    return {user_id: username for user_id, username in rows}


def people_in(session: Session, *, councils: list[str]) -> dict[int, str]:
    """User names by id of the people serving any of these councils."""
    rows = session.execute(select(UserRow.id, UserRow.username, UserRow.councils).order_by(UserRow.username))
    return {user_id: name for user_id, name, theirs in rows if set(theirs or []) & set(councils)}
