"""A fake Graph API and X API on loopback (random port, threads): hide, unhide, delete, reply,
paging for back-fill, scripted 429s, 5xx and expired tokens, and a record of every call. For the
connector tests and the webhook load run (`triage loadtest-webhooks`); never used in service."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Call:
    method: str
    api: str  # meta | x
    path: str
    params: dict[str, str]
    authorization: str


@dataclass
class Scripted:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] = field(default_factory=dict)


class FakePlatform:
    """Start with `with FakePlatform() as fake:`; point the settings at `fake.meta_url`/`fake.x_url`."""

    def __init__(self, tokens: tuple[str, ...] = ("good-token",)) -> None:
        self.tokens = set(tokens)
        self.calls: list[Call] = []
        self.hidden: dict[str, bool] = {}
        self.deleted: set[str] = set()
        self.replies: list[tuple[str, str]] = []
        self.script: list[Scripted] = []  # answers to the next write calls, in order
        self.feed: dict[str, list[dict[str, Any]]] = {}  # account -> posts
        self.comments: dict[str, list[dict[str, Any]]] = {}  # post -> comments
        self.mentions: dict[str, list[dict[str, Any]]] = {}  # X account -> tweets
        self.page_size = 2
        self.on_write: Callable[[Call], None] | None = None  # after a write took effect, before the answer
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def meta_url(self) -> str:
        return f"{self.url}/meta/v21.0"

    @property
    def x_url(self) -> str:
        return f"{self.url}/x"

    def __enter__(self) -> FakePlatform:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def writes(self, action: str | None = None) -> list[Call]:
        return [c for c in self.calls if c.method != "GET" and (action is None or _action(c) == action)]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: object) -> None:
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length).decode() if length else ""
                status, headers, body = fake.answer(self.command, self.path, raw, self.headers)
                if fake.on_write is not None and self.command != "GET":
                    fake.on_write(fake.calls[-1])
                payload = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    for key, value in headers.items():
                        self.send_header(key, value)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass  # the caller died waiting (the load run kills its worker here)

            do_GET = do_POST = do_PUT = do_DELETE = _serve

        return Handler

    def answer(self, method: str, target: str, raw: str, headers: Any) -> tuple[int, dict[str, str], dict[str, Any]]:
        parts = urlsplit(target)
        params = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        if raw.startswith("{"):
            params |= {k: json.dumps(v) if not isinstance(v, str) else v for k, v in json.loads(raw).items()}
        elif raw:
            params |= {k: v[-1] for k, v in parse_qs(raw).items()}
        api = "x" if parts.path.startswith("/x/") else "meta"
        path = parts.path.removeprefix("/x").removeprefix("/meta/v21.0")
        with self.lock:
            self.calls.append(Call(method, api, path, params, headers.get("authorization", "")))
            if headers.get("authorization", "").removeprefix("Bearer ") not in self.tokens:
                if api == "x":
                    return 401, {}, {"title": "Unauthorized", "status": 401}
                error = {
                    "message": "Error validating access token",
                    "type": "OAuthException",
                    "code": 190,
                    "error_subcode": 463,
                }
                return 400, {}, {"error": error}
            if method != "GET" and self.script:
                scripted = self.script.pop(0)
                return scripted.status, scripted.headers, scripted.body
            return self._x(method, path, params) if api == "x" else self._meta(method, path, params)

    def _meta(self, method: str, path: str, params: dict[str, str]) -> tuple[int, dict[str, str], dict[str, Any]]:
        segments = path.strip("/").split("/")
        if method == "GET":
            source = self.feed if segments[-1] in ("feed", "media") else self.comments
            return 200, {}, self._page(source.get(segments[0], []), params.get("after"))
        if len(segments) == 2:
            self.replies.append((segments[0], params.get("message", "")))
            return 200, {}, {"id": f"reply-{len(self.replies)}"}
        if method == "DELETE":
            self.deleted.add(segments[0])
            return 200, {}, {"success": True}
        flag = params.get("is_hidden", params.get("hide"))
        self.hidden[segments[0]] = flag == "true"
        return 200, {}, {"success": True}

    def _page(self, items: list[dict[str, Any]], after: str | None) -> dict[str, Any]:
        start = int(after or 0)
        chunk = items[start : start + self.page_size]
        paging: dict[str, Any] = {"cursors": {"after": str(start + self.page_size)}}
        if start + self.page_size < len(items):
            paging["next"] = "https://elsewhere.invalid/never-followed"
        return {"data": chunk, "paging": paging}

    def _x(self, method: str, path: str, params: dict[str, str]) -> tuple[int, dict[str, str], dict[str, Any]]:
        segments = path.strip("/").split("/")
        if method == "GET":
            tweets = self.mentions.get(segments[2], [])
            start = int(params.get("pagination_token") or 0)
            meta = {"next_token": str(start + self.page_size)} if start + self.page_size < len(tweets) else {}
            return 200, {}, {"data": tweets[start : start + self.page_size], "meta": meta}
        if method == "PUT":
            hidden = params.get("hidden") == "true"
            self.hidden[segments[2]] = hidden
            return 200, {}, {"data": {"hidden": hidden}}
        reply = json.loads(params.get("reply", "{}"))
        self.replies.append((reply.get("in_reply_to_tweet_id", ""), params.get("text", "")))
        return 201, {}, {"data": {"id": f"reply-{len(self.replies)}"}}


def action_and_object(call: Call) -> tuple[str, str]:
    """What a write call did, and to which comment (or tweet) id."""
    segments = call.path.strip("/").split("/")
    return _action(call), segments[2] if call.api == "x" and len(segments) > 2 else segments[0]


def _action(call: Call) -> str:
    if call.method == "DELETE":
        return "delete"
    if call.path.endswith(("/comments", "/replies")) or call.path == "/2/tweets":
        return "reply"
    flag = call.params.get("is_hidden", call.params.get("hide", call.params.get("hidden")))
    return "hide" if flag == "true" else "unhide"
