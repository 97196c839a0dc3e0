"""ASGI middleware: body limit, request metrics and logs, unhandled errors, security headers.
Plain ASGI: cheaper per request than Starlette's BaseHTTPMiddleware, which the busiest path pays on
every comment."""

from __future__ import annotations

import logging
import time

from fastapi.responses import JSONResponse
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from serve.errors import body

log = logging.getLogger("triage.serve")

# No inline script or style anywhere: the pages load theirs from /static.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
CLOSE = {"Connection": "close"}
HSTS = "max-age=31536000; includeSubDomains"
# FastAPI's interactive docs load scripts from a CDN and run an inline one: in development only.
DOCS_PATHS = ("/docs", "/redoc")


class BodyTooLarge(HTTPException):
    """Raised by the body reader past the limit; answered 413 by the typed HTTP error handler."""

    def __init__(self, limit: int) -> None:
        # Closing the connection stops the rest of an endless body from being received at all.
        super().__init__(413, f"request bodies are limited to {limit} bytes", headers=CLOSE)


class LimitsAndMetrics:
    """The body limit: a Content-Length over it is refused before anything is read, and the bytes
    actually received are counted whatever the framing (chunked bodies have no Content-Length), so
    reading stops at the limit. Request metrics; one log line per request with the route template,
    never the path or query (no handles or text in the logs). An unhandled error answers a typed
    500 and is logged by its type alone (its message and traceback can hold comment text)."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app, self.max_body_bytes = app, max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = Headers(scope=scope).get("content-length")
        if length and length.isdigit() and int(length) > self.max_body_bytes:
            message = f"request bodies are limited to {self.max_body_bytes} bytes"
            await JSONResponse(body("body_too_large", message), 413, headers=CLOSE)(scope, receive, send)
            return
        started, status = time.perf_counter(), 500
        response_started = False

        async def send_and_note(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status, response_started = message["status"], True
            await send(message)

        try:
            await self.app(scope, _limited(receive, self.max_body_bytes), send_and_note)
        except BodyTooLarge as error:  # read outside a route (routes answer it through errors.py)
            if not response_started:
                too_large = JSONResponse(body("body_too_large", error.detail), 413, headers=CLOSE)
                await too_large(scope, receive, send_and_note)
        except Exception as error:
            log.error("unhandled %s on %s %s", type(error).__name__, scope["method"], _template(scope))
            if not response_started:
                answer = JSONResponse(body("internal_error", "the server failed; nothing to fix in the request"), 500)
                await answer(scope, receive, send_and_note)
        finally:
            self._note(scope, status, time.perf_counter() - started)

    @staticmethod
    def _note(scope: Scope, status: int, elapsed: float) -> None:
        template = _template(scope)
        state = getattr(scope["app"].state, "triage", None)
        if state is not None:
            state.metrics.requests.labels(template, scope["method"], str(status)).inc()
            state.metrics.latency.labels(template).observe(elapsed)
        log.info("%s %s %s %.1fms", scope["method"], template, status, elapsed * 1000)


def _limited(receive: Receive, limit: int) -> Receive:
    """`receive` that counts the body's bytes and raises past `limit`."""
    received = 0

    async def receive_limited() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise BodyTooLarge(limit)
        return message

    return receive_limited


def _template(scope: Scope) -> str:
    return getattr(scope.get("route"), "path", "unmatched")


class SecurityHeaders:
    """CSP, framing, sniffing, referrer and caching headers on every answer; HSTS over TLS. Only
    /static may be cached: every other answer can carry personal data."""

    def __init__(self, app: ASGIApp, docs_enabled: bool) -> None:
        self.app, self.docs_enabled = app, docs_enabled

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if not (self.docs_enabled and path.startswith(DOCS_PATHS)):
                    headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
                headers["X-Frame-Options"] = "DENY"
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "no-referrer"
                if not path.startswith("/static/"):
                    headers["Cache-Control"] = "no-store"
                if scope.get("scheme") == "https":
                    headers["Strict-Transport-Security"] = HSTS
            await send(message)

        await self.app(scope, receive, send_with_headers)
