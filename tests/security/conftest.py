"""Security fixtures: the API fixtures (SQLite, and PostgreSQL when configured), a live uvicorn
server for what only a real server shows (framing, logs), a clean TRIAGE_* environment for the CLI
and default-install tests, and Redis (db 15) when one answers."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import uvicorn
from fastapi import FastAPI

from tests.api.conftest import Api, api, database_url, make_api  # noqa: F401 (fixtures)
from triage.config import get_settings

REDIS_URL = "redis://127.0.0.1:6379/15"
MARKERS = ("MARKERTEXT7Q", "MARKERHANDLE7Q", "MARKERTOPIC7Q", "MARKERNOTE7Q")


@contextmanager
def live_server(app: FastAPI) -> Iterator[str]:
    """`app` under uvicorn as `triage serve` runs it (no access log), on a free local port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


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
