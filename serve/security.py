"""Who is calling: an API key (machine clients) or a signed-in user (people); roles and scopes."""

from __future__ import annotations

import hashlib
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

from fastapi import Request
from sqlalchemy.orm import Session

from serve.errors import ApiError
from triage.labels import ROLE_SCOPES
from triage.storage.accounts import verify_api_key
from triage.storage.tables import UserRow


@dataclass(frozen=True)
class Principal:
    kind: str  # "key" or "user"
    id: int
    name: str
    councils: tuple[str, ...]
    scopes: frozenset[str]
    role: str = "machine"

    def require(self, scope: str) -> None:
        if scope not in self.scopes and "admin" not in self.scopes:
            raise ApiError(403, "forbidden", f"this {self.kind} lacks the {scope} permission")

    @property
    def actor(self) -> str:
        return f"{self.kind}:{self.id}"


def from_user(user: UserRow) -> Principal:
    return Principal("user", user.id, user.username, tuple(user.councils), frozenset(ROLE_SCOPES[user.role]), user.role)


def authenticate(request: Request, session: Session) -> Principal:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        key = verify_api_key(session, presented=header[7:].strip())
        if key is None:
            raise ApiError(401, "invalid_api_key", "the API key is unknown or revoked", {"WWW-Authenticate": "Bearer"})
        return Principal("key", key.id, key.name, tuple(key.councils), frozenset(key.scopes))
    user_id = request.session.get("user_id") if "session" in request.scope else None
    if user_id is not None:
        user = session.get(UserRow, user_id)
        if user is not None and not user.disabled:
            return from_user(user)
    raise ApiError(
        401, "unauthorised", "send Authorization: Bearer <API key>, or sign in", {"WWW-Authenticate": "Bearer"}
    )


class KeyCache:
    """API keys verified in the last `ttl` seconds, by a digest of the key (never the key): the
    busiest path (a platform posting comments) skips a database read and a thread hop per request.
    A key revoked with `triage apikey revoke` stops working on running servers within `ttl`."""

    def __init__(self, ttl: float = 5.0, size: int = 1024) -> None:
        self.ttl, self.size = ttl, size
        self._entries: dict[str, tuple[Principal, float]] = {}

    @staticmethod
    def _digest(request: Request) -> str | None:
        header = request.headers.get("authorization", "")
        if not header.lower().startswith("bearer "):
            return None
        return hashlib.sha256(header[7:].strip().encode()).hexdigest()

    def get(self, request: Request) -> Principal | None:
        digest = self._digest(request)
        entry = self._entries.get(digest) if digest else None
        if entry is None or entry[1] < time.monotonic():
            return None
        return entry[0]

    def put(self, request: Request, principal: Principal) -> None:
        digest = self._digest(request)
        if digest is None or principal.kind != "key":
            return
        if len(self._entries) >= self.size:
            self._entries.clear()
        self._entries[digest] = (principal, time.monotonic() + self.ttl)


class RateLimiter:
    """A token bucket per principal, in process: `rate` requests a minute, bursts up to it."""

    def __init__(self, rate_per_minute: int) -> None:
        self.rate = rate_per_minute / 60.0
        self.capacity = float(rate_per_minute)
        self._buckets: dict[str, tuple[float, float]] = defaultdict(lambda: (self.capacity, time.monotonic()))

    def check(self, who: str, cost: float = 1.0) -> None:
        tokens, last = self._buckets[who]
        now = time.monotonic()
        tokens = min(self.capacity, tokens + (now - last) * self.rate)
        if tokens < cost:
            retry = max(1, int((cost - tokens) / self.rate))
            raise ApiError(429, "rate_limited", f"too many requests; retry in {retry}s", {"Retry-After": str(retry)})
        self._buckets[who] = (tokens - cost, now)


def utcnow() -> datetime:
    return datetime.now(UTC)


def start_session(request: Request, session: Session, user: UserRow) -> None:
    """A fresh signed session for a person who just proved who they are (the CSRF token stays)."""
    from triage.storage import repo

    token = request.session.get("csrf")
    request.session.clear()
    request.session.update({"user_id": user.id} | ({"csrf": token} if token else {}))
    repo.audit(
        session,
        actor=f"user:{user.id}",
        kind="sign_in",
        subject=f"user:{user.id}",
        council=None,
        detail={},
        now=utcnow(),
    )
    session.commit()
