"""Finding 5: the body limit caps the bytes read whatever the framing, chunked bodies included."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from serve.app import create_app
from tests.conftest import FakeScorer
from tests.security.conftest import Api, live_server
from triage.config import Settings

LIMIT = 1_000_000
HEAD = b"POST /v1/session HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
CHUNK = 64 * 1024


class Endless:
    """A chunked body that would go on for `total` bytes, counting what the server pulled."""

    def __init__(self, total: int) -> None:
        self.total, self.pulled = total, 0

    def __iter__(self) -> Iterator[bytes]:
        while self.pulled < self.total:
            self.pulled += CHUNK
            yield b"x" * CHUNK


def post_chunked(api: Api, path: str, body: Endless, content_type: str) -> tuple[int, dict[str, Any]]:
    """Drive the app over ASGI as a server does with a chunked body (the test client would read
    the whole body first): one message per chunk, no Content-Length."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "client": ("127.0.0.1", 1),
        "server": ("testserver", 80),
        "headers": [
            (b"host", b"testserver"),
            (b"content-type", content_type.encode()),
            (b"transfer-encoding", b"chunked"),
        ],
    }
    chunks, sent = iter(body), []

    async def receive() -> dict[str, Any]:
        chunk = next(chunks, None)
        return {"type": "http.request", "body": chunk or b"", "more_body": chunk is not None}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def drive() -> None:
        await api.client.app(scope, receive, send)

    api.client.portal.call(drive)  # type: ignore[union-attr]
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    return status, json.loads(b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body"))


@pytest.mark.parametrize("path", ["/v1/session", "/login"])
def test_chunked_body_to_sign_in_is_cut_at_the_limit(api: Api, path: str) -> None:
    body = Endless(total=40 * LIMIT)  # no Content-Length: only counting the bytes can stop it
    content_type = "application/json" if path == "/v1/session" else "application/x-www-form-urlencoded"
    status, answer = post_chunked(api, path, body, content_type)
    assert status == 413 and answer["code"] == "body_too_large"
    assert body.pulled <= LIMIT + CHUNK  # reading stopped at the limit: memory stays bounded


def test_chunked_body_under_the_limit_is_read(api: Api) -> None:
    chunks = [b'{"username": "olive", ', b'"password": "correct horse battery"}']
    response = api.client.post("/v1/session", content=iter(chunks), headers={"content-type": "application/json"})
    assert response.status_code == 200


def test_content_length_over_the_limit_is_refused_before_reading(api: Api) -> None:
    response = api.client.post("/v1/comments", content=b"x" * (LIMIT + 1), headers=api.headers())
    assert response.status_code == 413 and response.json()["code"] == "body_too_large"


def test_endless_chunked_body_over_a_real_socket_is_answered_413(tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", environment="test"), FakeScorer())
    with live_server(app) as url, socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1])), 10) as sock:
        sock.sendall(HEAD)
        chunk, sent = b"%x\r\n" % CHUNK + b"x" * CHUNK + b"\r\n", 0
        sock.settimeout(0.5)
        try:
            while sent < 200 * LIMIT:  # endless as far as the server can tell
                sock.sendall(chunk)
                sent += CHUNK
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            pass  # the server answered and stopped reading
        sock.settimeout(10)
        answer = sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert sent < 32 * LIMIT  # the server closed the connection: at most the sockets' buffers got through
