"""State that every server process must agree on: sign-in throttles, API rate limits and the API
key cache. In Redis when TRIAGE_REDIS_URL is set (several processes or replicas), else in process
(the embedded default). Counters are kept under digests: no user name or address in Redis."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol

import limits
import limits.aio
import redis.exceptions
from limits.errors import StorageError
from limits.storage import storage_from_string

PREFIX = "triage"


class SharedStateUnavailable(RuntimeError):
    """Redis is configured but does not answer: refuse (fail closed), never skip the limits."""


@contextmanager
def _guarded() -> Iterator[None]:
    try:
        yield
    except (StorageError, redis.exceptions.RedisError) as error:
        raise SharedStateUnavailable(f"shared state store unavailable ({type(error).__name__})") from None


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:32]


class SignInThrottle:
    """Failed sign-ins per account and per address in a moving window (NCSC: throttle rather
    than lock out, so a stranger cannot lock an officer out for good)."""

    def __init__(self, redis_url: str | None, account_limit: str, address_limit: str) -> None:
        if redis_url:
            storage = storage_from_string(
                redis_url, key_prefix=f"{PREFIX}-signin", wrap_exceptions=True, socket_connect_timeout=2
            )
        else:
            storage = storage_from_string("memory://")
        self.limiter = limits.strategies.MovingWindowRateLimiter(storage)
        self.rules = {"account": limits.parse(account_limit), "address": limits.parse(address_limit)}

    def _keys(self, account: str, address: str) -> dict[str, str]:
        return {"account": _digest(account.casefold()), "address": _digest(address)}

    def retry_after(self, *, account: str, address: str) -> tuple[str, int] | None:
        """Which throttle holds (account or address) and the seconds until it lets go, or None."""
        for kind, key in self._keys(account, address).items():
            with _guarded():
                if self.limiter.test(self.rules[kind], kind, key):
                    continue
                reset = self.limiter.get_window_stats(self.rules[kind], kind, key).reset_time
            return kind, max(1, int(reset - time.time()) + 1)
        return None

    def failed(self, *, account: str, address: str) -> None:
        for kind, key in self._keys(account, address).items():
            with _guarded():
                self.limiter.hit(self.rules[kind], kind, key)

    def succeeded(self, *, account: str) -> None:
        with _guarded():
            self.limiter.clear(self.rules["account"], "account", _digest(account.casefold()))


class ApiRateLimit:
    """Requests a minute per principal (an API key or a person), over all processes when shared.
    A sliding window counter: two counters per principal, one round trip, whatever the rate."""

    def __init__(self, redis_url: str | None, per_minute: int) -> None:
        if redis_url:
            storage = storage_from_string(
                f"async+{redis_url}",
                implementation="redispy",
                key_prefix=f"{PREFIX}-api",
                wrap_exceptions=True,
                socket_connect_timeout=2,
            )
        else:
            storage = storage_from_string("async+memory://")
        self.limiter = limits.aio.strategies.SlidingWindowCounterRateLimiter(storage)
        self.rule = limits.RateLimitItemPerMinute(per_minute)

    async def retry_after(self, who: str) -> int | None:
        """None when the request may go ahead (and is counted); else seconds to wait."""
        with _guarded():
            if await self.limiter.hit(self.rule, who):
                return None
            stats = await self.limiter.get_window_stats(self.rule, who)
        return max(1, int(stats.reset_time - time.time()) + 1)


class KeyStore(Protocol):
    """Verified API keys by digest (never the key), with what the server needs to know of them."""

    async def get(self, prefix: str, digest: str) -> dict[str, Any] | None: ...

    async def put(self, prefix: str, digest: str, payload: dict[str, Any], ttl: float) -> None: ...

    async def close(self) -> None: ...


class MemoryKeyStore:
    """In one process: a revoked key works on until its entry expires (the cache's ttl)."""

    def __init__(self, size: int = 1024) -> None:
        self.size = size
        self._entries: dict[str, tuple[dict[str, Any], float]] = {}

    async def get(self, prefix: str, digest: str) -> dict[str, Any] | None:
        entry = self._entries.get(digest)
        return entry[0] if entry is not None and entry[1] >= time.monotonic() else None

    async def put(self, prefix: str, digest: str, payload: dict[str, Any], ttl: float) -> None:
        if len(self._entries) >= self.size:
            self._entries.clear()
        self._entries[digest] = (payload, time.monotonic() + ttl)

    async def close(self) -> None:
        self._entries.clear()


def _key_entries(prefix: str) -> str:
    return f"{PREFIX}:apikey:{prefix}"


def _key_revoked(prefix: str) -> str:
    return f"{PREFIX}:apikey-revoked:{prefix}"


# Written only while no revocation mark exists: a server that verified a key just before it was
# revoked cannot put it back into the cache after `forget_revoked_key` emptied it.
_PUT_UNLESS_REVOKED = """
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
"""


class RedisKeyStore:
    """Shared by every process: `forget_revoked_key` ends a revoked key's entries at once."""

    def __init__(self, redis_url: str) -> None:
        import redis.asyncio

        self.client = redis.asyncio.Redis.from_url(redis_url, socket_connect_timeout=2)
        self._put = self.client.register_script(_PUT_UNLESS_REVOKED)

    async def get(self, prefix: str, digest: str) -> dict[str, Any] | None:
        with _guarded():
            raw = await self.client.hget(_key_entries(prefix), digest)
        return json.loads(raw) if raw else None

    async def put(self, prefix: str, digest: str, payload: dict[str, Any], ttl: float) -> None:
        keys = [_key_entries(prefix), _key_revoked(prefix)]
        with _guarded():
            await self._put(keys=keys, args=[digest, json.dumps(payload), max(1, int(ttl * 1000))])

    async def close(self) -> None:
        await self.client.aclose()


def make_key_store(redis_url: str | None) -> KeyStore:
    return RedisKeyStore(redis_url) if redis_url else MemoryKeyStore()


def forget_revoked_key(redis_url: str | None, prefix: str) -> None:
    """After a key is revoked in the database: mark it revoked and drop its cached entries, so no
    process accepts it again. Without Redis, each process's own cache lets go within its ttl."""
    if not redis_url:
        return
    import redis

    client = redis.Redis.from_url(redis_url, socket_connect_timeout=2)
    try:
        client.set(_key_revoked(prefix), "1", ex=86_400)
        client.delete(_key_entries(prefix))
    finally:
        client.close()
