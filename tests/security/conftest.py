"""Security fixtures: the API fixtures (SQLite, and PostgreSQL when configured), a live uvicorn
server for what only a real server shows (framing, logs), and a signed-in officer."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from fastapi import FastAPI

from tests.api.conftest import Api, api, database_url, make_api  # noqa: F401 (fixtures)

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
