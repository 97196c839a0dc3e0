"""Who is calling: an API key (machine clients) or a signed-in user (people); roles and scopes."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

from fastapi import Request
from sqlalchemy.orm import Session

from serve.errors import ApiError
from triage.config import Settings
from triage.labels import ROLE_SCOPES
from triage.shared_state import ApiRateLimit, KeyStore, MemoryKeyStore
from triage.storage.accounts import Account, verify_api_key
from triage.storage.sessions import session_user


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


def from_user(user: Account) -> Principal:
    return Principal("user", user.id, user.username, tuple(user.councils), frozenset(ROLE_SCOPES[user.role]), user.role)


def signed_in_user(request: Request, session: Session, settings: Settings) -> Account | None:
    """The person whose live server-side session the cookie names (committing its seen-at)."""
    token = request.session.get("sid") if "session" in request.scope else None
    if not isinstance(token, str):
        return None
    idle = timedelta(minutes=settings.session_idle_minutes)
    absolute = timedelta(hours=settings.session_absolute_hours)
    user = session_user(session, token=token, now=utcnow(), idle=idle, absolute=absolute)
    session.commit()
    return user


def authenticate(request: Request, session: Session, settings: Settings) -> Principal:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        key = verify_api_key(session, presented=header[7:].strip())
        if key is None:
            raise ApiError(401, "invalid_api_key", "the API key is unknown or revoked", {"WWW-Authenticate": "Bearer"})
        return Principal("key", key.id, key.name, tuple(key.councils), frozenset(key.scopes))
    user = signed_in_user(request, session, settings)
    if user is not None:
        return from_user(user)
    raise ApiError(
        401, "unauthorised", "send Authorization: Bearer <API key>, or sign in", {"WWW-Authenticate": "Bearer"}
    )


class KeyCache:
    """API keys verified in the last `ttl` seconds, by a digest of the key (never the key): the
    busiest path (a platform posting comments) skips a database read and a thread hop per request.
    In process, a key revoked with `triage apikey revoke` stops working within `ttl`; in Redis
    (TRIAGE_REDIS_URL), at once in every process."""

    def __init__(self, ttl: float = 5.0, store: KeyStore | None = None) -> None:
        self.ttl = ttl
        self.store = store or MemoryKeyStore()
        self._verifying: dict[str, asyncio.Future[Principal]] = {}

    async def get_or_verify(self, request: Request, verify: Callable[[], Awaitable[Principal]]) -> Principal:
        """The cached principal, or `verify()`'s. When an entry expires under load, every request
        in flight with that key misses at once: they wait for one verification (one database
        read, one thread hop) rather than each making its own."""
        principal = await self.get(request)
        if principal is not None:
            return principal
        lookup = self._lookup(request)
        if lookup is None:  # a signed-in person: not cached
            return await verify()
        digest = lookup[1]
        verifying = self._verifying.get(digest)
        if verifying is None:
            verifying = asyncio.ensure_future(self._verify_and_put(request, verify))
            self._verifying[digest] = verifying
            verifying.add_done_callback(lambda _: self._verifying.pop(digest, None))
        return await asyncio.shield(verifying)  # a caller that goes away does not cancel the others'

    async def _verify_and_put(self, request: Request, verify: Callable[[], Awaitable[Principal]]) -> Principal:
        principal = await verify()
        await self.put(request, principal)
        return principal

    @staticmethod
    def _lookup(request: Request) -> tuple[str, str] | None:
        header = request.headers.get("authorization", "")
        if not header.lower().startswith("bearer "):
            return None
        key = header[7:].strip()
        parts = key.split("_", 2)
        return (parts[1], hashlib.sha256(key.encode()).hexdigest()) if len(parts) == 3 else None

    async def get(self, request: Request) -> Principal | None:
        lookup = self._lookup(request)
        payload = await self.store.get(*lookup) if lookup else None
        if payload is None:
            return None
        councils, scopes = tuple(payload["councils"]), frozenset(payload["scopes"])
        return Principal("key", payload["id"], payload["name"], councils, scopes)

    async def put(self, request: Request, principal: Principal) -> None:
        lookup = self._lookup(request)
        if lookup is None or principal.kind != "key":
            return
        payload = asdict(principal) | {"councils": list(principal.councils), "scopes": sorted(principal.scopes)}
        await self.store.put(*lookup, payload, self.ttl)

    async def close(self) -> None:
        await self.store.close()


class RateLimiter:
    """`rate_per_minute` requests a minute per principal: in process, or over every process."""

    def __init__(self, limit: ApiRateLimit) -> None:
        self.limit = limit

    async def check(self, who: str) -> None:
        retry = await self.limit.retry_after(who)
        if retry is not None:
            raise ApiError(429, "rate_limited", f"too many requests; retry in {retry}s", {"Retry-After": str(retry)})


def utcnow() -> datetime:
    return datetime.now(UTC)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def start_session(request: Request, token: str) -> None:
    """A fresh cookie naming the new server-side session (the CSRF token stays)."""
    csrf = request.session.get("csrf")
    request.session.clear()
    request.session.update({"sid": token} | ({"csrf": csrf} if csrf else {}))


def end_cookie_session(request: Request) -> str | None:
    """Clear the cookie; returns the session token it named, for the server-side record to end."""
    token = request.session.get("sid")
    request.session.clear()
    return token if isinstance(token, str) else None
