"""Security fixtures: the API fixtures (SQLite, and PostgreSQL when configured), a clean TRIAGE_*
environment for the CLI and default-install tests, and Redis (db 15) when one answers."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.api.conftest import Api, database_url, make_api  # noqa: F401 (fixtures)
from triage.config import get_settings

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path) -> Iterator[pytest.MonkeyPatch]:  # type: ignore[no-untyped-def]
    """No TRIAGE_* variable from the caller's shell, no .env file, a fresh settings cache."""
    for name in list(os.environ):
        if name.startswith("TRIAGE_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


@pytest.fixture
def redis_url() -> Iterator[str]:
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.RedisError as error:
        pytest.skip(f"no Redis answers at 127.0.0.1:6379 ({type(error).__name__})")
    client.flushdb()
    yield REDIS_URL
    client.flushdb()
    client.close()
