"""The API key cache: requests that miss together wait for one verification."""

from __future__ import annotations

import asyncio

from starlette.requests import Request

from serve.errors import ApiError
from serve.security import KeyCache, Principal

KEY = "tri_abc123_secretsecret"
PRINCIPAL = Principal("key", 7, "integration", ("swale",), frozenset({"comments:write"}))


def request(key: str = KEY) -> Request:
    return Request({"type": "http", "headers": [(b"authorization", f"Bearer {key}".encode())]})


def test_requests_missing_together_wait_for_one_verification() -> None:
    calls = 0

    async def verify() -> Principal:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.01)
        return PRINCIPAL

    async def main() -> list[Principal]:
        cache = KeyCache(ttl=5.0)
        return list(await asyncio.gather(*(cache.get_or_verify(request(), verify) for _ in range(20))))

    assert asyncio.run(main()) == [PRINCIPAL] * 20
    assert calls == 1


def test_a_refused_key_is_refused_to_every_waiting_request_and_not_cached() -> None:
    calls = 0

    async def refuse() -> Principal:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.01)
        raise ApiError(401, "invalid_api_key", "the API key is unknown or revoked")

    async def main() -> list[object]:
        cache = KeyCache(ttl=5.0)
        together = await asyncio.gather(
            *(cache.get_or_verify(request(), refuse) for _ in range(5)), return_exceptions=True
        )
        later = await asyncio.gather(cache.get_or_verify(request(), refuse), return_exceptions=True)
        return [*together, *later]

    outcomes = asyncio.run(main())
    assert all(isinstance(o, ApiError) and o.status == 401 for o in outcomes)
    assert calls == 2  # once for the five together, once again later: a refusal is never cached


def test_different_keys_are_verified_apart() -> None:
    seen: list[str] = []

    def verifier(key: str):  # type: ignore[no-untyped-def]
        async def verify() -> Principal:
            seen.append(key)
            return PRINCIPAL

        return verify

    async def main() -> None:
        cache = KeyCache(ttl=5.0)
        keys = ["tri_aaa_one", "tri_bbb_two"]
        await asyncio.gather(*(cache.get_or_verify(request(k), verifier(k)) for k in keys))

    asyncio.run(main())
    assert sorted(seen) == ["tri_aaa_one", "tri_bbb_two"]


def test_a_malformed_key_is_verified_each_time() -> None:
    calls = 0

    async def verify() -> Principal:
        nonlocal calls
        calls += 1
        return PRINCIPAL

    async def main() -> None:
        cache = KeyCache(ttl=5.0)
        await cache.get_or_verify(request("not-a-key"), verify)
        await cache.get_or_verify(request("not-a-key"), verify)

    asyncio.run(main())
    assert calls == 2
