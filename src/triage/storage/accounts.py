"""API keys (random, stored as SHA-256 hashes) and user accounts (argon2id password hashes)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from triage.labels import API_SCOPES, ROLES
from triage.storage.tables import ApiKeyRow, UserRow

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


def revoke_api_key(session: Session, *, prefix: str, now: datetime) -> bool:
    row = session.scalar(select(ApiKeyRow).where(ApiKeyRow.prefix == prefix))
    if row is None:
        return False
    row.revoked_at = now
    return True


def create_user(
    session: Session, *, username: str, password: str, role: str, councils: list[str], now: datetime
) -> UserRow:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; choose from {', '.join(ROLES)}")
    if len(password) < 10:
        raise ValueError("passwords need at least 10 characters")
    row = UserRow(username=username, password_hash=_hasher.hash(password), role=role, councils=councils, created_at=now)
    session.add(row)
    session.flush()
    return row


def authenticate(session: Session, *, username: str, password: str) -> UserRow | None:
    row = session.scalar(select(UserRow).where(UserRow.username == username))
    if row is None or row.disabled:
        _hasher.hash(password)  # same work either way: no timing hint that the name exists
        return None
    try:
        _hasher.verify(row.password_hash, password)
    except VerificationError:
        return None
    return row
