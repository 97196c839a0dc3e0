"""Finding 10: with TRIAGE_REDIS_URL set, every server process shares the API rate limits, the
sign-in throttles and the API key cache, and a revoked key is refused at once everywhere. Two apps
on one database stand for two processes: nothing but Redis joins them. Skipped without Redis."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient

from serve.app import create_app
from tests.api.conftest import PASSWORD, Api, make_api
from tests.conftest import FakeScorer
from triage.config import Settings
from triage.storage.accounts import revoke_api_key


@contextmanager
def two_processes(database_url: str, redis_url: str, **settings: object) -> Iterator[tuple[Api, TestClient]]:
    """The first app makes the keys and people; the second runs beside it on the same database."""
    for first in make_api(database_url, FakeScorer(), redis_url=redis_url, **settings):
        config = Settings(database_url=database_url, environment="test", redis_url=redis_url, **settings)  # type: ignore[arg-type]
        with TestClient(create_app(config, scorer=FakeScorer())) as second:
            yield first, second


def post(client: TestClient, key: str, external_id: str) -> int:
    body = {"platform": "facebook", "external_id": external_id, "author_handle": "r", "post_id": "p", "text": "hi"}
    return client.post("/v1/comments", json=body, headers={"Authorization": f"Bearer {key}"}).status_code


def test_the_rate_limit_holds_over_all_processes(database_url: str, redis_url: str) -> None:
    with two_processes(database_url, redis_url, rate_per_minute=4) as (first, second):
        key = first.keys["swale"]
        statuses = [post(client, key, f"r{i}") for i, client in enumerate([first.client, second] * 3)]
    assert statuses == [200, 200, 200, 200, 429, 429]  # in process, each would allow 4: 6 x 200


def test_sign_in_throttles_hold_over_all_processes(database_url: str, redis_url: str) -> None:
    with two_processes(database_url, redis_url, sign_in_account_limit="3/15 minutes") as (first, second):
        wrong = {"username": "olive", "password": "not-the-password"}
        statuses = [client.post("/v1/session", json=wrong).status_code for client in (first.client, second, second)]
        assert statuses == [401, 401, 401]
        right = {"username": "olive", "password": PASSWORD}
        assert first.client.post("/v1/session", json=right).status_code == 429


def test_a_revoked_key_is_refused_at_once_by_every_process(database_url: str, redis_url: str) -> None:
    with two_processes(database_url, redis_url, api_key_cache_seconds=300) as (first, second):
        key = first.keys["swale"]
        assert post(first.client, key, "k1") == 200 and post(second, key, "k2") == 200  # verified and cached
        prefix = key.split("_")[1]
        with first.client.app.state.triage.sessions() as session:  # type: ignore[attr-defined]
            revoke_api_key(session, prefix=prefix, now=datetime.now(UTC))
            session.commit()
        from triage.shared_state import forget_revoked_key

        forget_revoked_key(redis_url, prefix)  # what `triage apikey revoke` does after the database
        assert post(first.client, key, "k3") == 401 and post(second, key, "k4") == 401
        assert post(second, first.keys["ashfield"], "k5") == 200  # other keys are untouched


def run_apart(coroutine: Coroutine[Any, Any, object]) -> object:
    """Run a coroutine on its own thread's event loop, whatever loop this thread may be running."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def test_a_server_cannot_cache_a_key_again_after_its_revocation(redis_url: str) -> None:
    from triage.shared_state import RedisKeyStore, forget_revoked_key

    async def scenario() -> object:
        store = RedisKeyStore(redis_url)
        forget_revoked_key(redis_url, "abc123")
        # a server that verified the key just before the revocation tries to cache it afterwards
        await store.put("abc123", "digest", {"id": 1}, ttl=300)
        found = await store.get("abc123", "digest")
        await store.close()
        return found

    assert run_apart(scenario()) is None


def test_the_key_cache_is_shared(redis_url: str) -> None:
    from triage.shared_state import RedisKeyStore

    async def scenario() -> object:
        writer, reader = RedisKeyStore(redis_url), RedisKeyStore(redis_url)
        await writer.put("def456", "digest", {"id": 7, "name": "k"}, ttl=300)
        found = await reader.get("def456", "digest")
        await writer.close()
        await reader.close()
        return found

    assert run_apart(scenario()) == {"id": 7, "name": "k"}


def test_an_unreachable_redis_fails_closed_with_a_typed_503(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Configured but down (nothing listens on port 1): refuse, never skip the limits; never a 500."""
    database_url = f"sqlite:///{tmp_path / 'triage.db'}"
    for api in make_api(database_url, FakeScorer(), redis_url="redis://127.0.0.1:1/0"):
        response = api.post("hi", "down1")
        assert response.status_code == 503 and response.json()["code"] == "shared_state_unavailable"
        assert response.headers["Retry-After"]
        signing_in = api.client.post("/v1/session", json={"username": "olive", "password": PASSWORD})
        assert signing_in.status_code == 503
