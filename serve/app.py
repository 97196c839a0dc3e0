"""The app factory: create_app(settings=None, scorer=None), with a lifespan that opens the
database, loads the model bundle (never MLflow) and starts the micro-batcher."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import Headers
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from serve import errors
from serve.batching import MicroBatcher
from serve.connector_worker import EmbeddedWorker
from serve.metrics import Metrics
from serve.routes import admin, comments, health, people, platforms, session
from serve.security import KeyCache, RateLimiter
from serve.state import AppState
from serve.ui import pages
from serve.ui.web import Forbidden, SignInRequired, render
from triage.config import Settings, get_settings
from triage.policy.profile import published_contacts
from triage.scoring.base import Scorer
from triage.storage.db import make_engine, migrate, session_factory

log = logging.getLogger("triage.serve")
STATIC = Path(__file__).resolve().parent / "static"


def load_scorer(settings: Settings) -> Scorer | None:
    """The bundle from disk; None (comments go to humans) if it cannot be loaded."""
    from triage.scoring.registry import load_bundle

    try:
        return load_bundle(settings.model_path, allowed_contacts=published_contacts(), spin=settings.model_spin)
    except Exception as error:
        log.error(
            "model bundle %s not loaded (%s): every comment will be referred to a human", settings.model_path, error
        )
        return None


class LimitsAndMetrics:
    """Body size limit, request metrics and one log line per request (route template, never the
    path or query: no handles or text in the logs). Plain ASGI: cheaper per request than
    Starlette's BaseHTTPMiddleware, which the busiest path pays on every comment."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app, self.max_body_bytes = app, max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = Headers(scope=scope).get("content-length")
        if length and length.isdigit() and int(length) > self.max_body_bytes:
            message = f"request bodies are limited to {self.max_body_bytes} bytes"
            await JSONResponse({"code": "body_too_large", "message": message}, status_code=413)(scope, receive, send)
            return
        started, status = time.perf_counter(), 500

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            elapsed = time.perf_counter() - started
            template = getattr(scope.get("route"), "path", "unmatched")
            state: AppState | None = getattr(scope["app"].state, "triage", None)
            if state is not None:
                state.metrics.requests.labels(template, scope["method"], str(status)).inc()
                state.metrics.latency.labels(template).observe(elapsed)
            log.info("%s %s %s %.1fms", scope["method"], template, status, elapsed * 1000)


def create_app(settings: Settings | None = None, scorer: Scorer | None = None, load_model: bool = True) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        migrate(settings.database_url)
        engine = make_engine(settings.database_url)
        model = scorer if scorer is not None else (load_scorer(settings) if load_model else None)
        state = AppState(settings=settings, engine=engine, sessions=session_factory(engine), scorer=model,
                         metrics=Metrics(), limiter=RateLimiter(settings.rate_per_minute),
                         keys=KeyCache(settings.api_key_cache_seconds))  # fmt: skip
        if model is not None:
            state.batcher = MicroBatcher(model, settings.batch_max_size, settings.batch_max_wait_ms)
            state.batcher.start()
        state.start_recorder()
        app.state.triage = state
        embedded = EmbeddedWorker(state) if settings.connector_worker else None
        if embedded is not None:
            state.connector_nudge = embedded.nudge
            embedded.start()
        yield
        if embedded is not None:
            embedded.stop()
        if state.batcher:
            await state.batcher.stop()
        if state.recorder:
            await state.recorder.stop()
        engine.dispose()

    app = FastAPI(title="triage", version="1", lifespan=lifespan,
                  description="Pre-screening of public comments on UK councils' social media pages.")  # fmt: skip
    errors.install(app)
    app.add_middleware(SessionMiddleware, secret_key=settings.secret_key, https_only=settings.environment == "production",
                       same_site="strict", session_cookie="triage_session")  # fmt: skip

    app.add_middleware(LimitsAndMetrics, max_body_bytes=settings.max_body_bytes)

    for router in (
        health.router,
        session.router,
        comments.router,
        people.router,
        admin.router,
        platforms.router,
        platforms.admin_router,
        pages.router,
    ):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")

    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, _: SignInRequired) -> Response:
        return RedirectResponse("/login", status_code=303)

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, error: Forbidden) -> Response:
        return render(request, "error.html", None, status=403, message=str(error))

    return app
