"""The app factory: create_app(settings=None, scorer=None), with a lifespan that opens the
database, loads the model bundle (never MLflow) and starts the micro-batcher."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from serve import errors
from serve.connector_worker import EmbeddedWorker
from serve.middleware import LimitsAndMetrics, SecurityHeaders
from serve.routes import admin, comments, health, people, platforms, replies, session
from serve.state import AppState, load_scorer_or_none
from serve.ui import automatic_pages, dashboard_pages, guide, pages, queue_pages, reply_pages, review_pages
from serve.ui.web import Forbidden, SignInRequired, render
from triage.config import Settings, get_settings
from triage.scoring.base import Scorer
from triage.service.model_process import close_scorer

log = logging.getLogger("triage.serve")
STATIC = Path(__file__).resolve().parent / "static"


def add_session_cookies(app: FastAPI, settings: Settings) -> None:
    """Signed cookies naming a server-side session (serve.security), living no longer than it may.
    The secret is refused when known or weak, and kept in an owner-only file when not given."""
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.signing_secret(),
        session_cookie="triage_session",
        same_site="strict",
        https_only=settings.environment == "production",
        max_age=settings.session_absolute_hours * 3600,
    )


def lifespan_for(
    settings: Settings, scorer: Scorer | None, load_model: bool
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """Open the shared state (database, model, batchers) and the embedded connector worker for
    the app's life, and close them after."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        model = scorer if scorer is not None else (load_scorer_or_none(settings) if load_model else None)
        try:
            state = AppState.open(settings, model)
            await state.start()
        except BaseException:
            close_scorer(model)  # its model processes, if it has any
            raise
        app.state.triage = state
        # The model, its vocabularies and the app live as long as the process: kept out of the
        # collector's full passes, which otherwise walk them all (up to 190 ms a pass under load).
        gc.collect()
        gc.freeze()
        embedded = EmbeddedWorker(state) if settings.connector_worker else None
        if embedded is not None:
            state.connector_nudge = embedded.nudge
            embedded.start()
        yield
        gc.unfreeze()  # an app that has stopped can be collected (tests start many in one process)
        if embedded is not None:
            embedded.stop()
        await state.stop()

    return lifespan


def add_pages(app: FastAPI) -> None:
    """The officers' pages: anonymous visitors go to the sign-in page, the wrong role gets a 403 page."""
    ui = (pages, review_pages, queue_pages, automatic_pages, guide, dashboard_pages, reply_pages)
    for router in (module.router for module in ui):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")

    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, _: SignInRequired) -> Response:
        return RedirectResponse("/login", status_code=303)

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, error: Forbidden) -> Response:
        return render(request, "error.html", None, status=403, message=str(error))


def create_app(settings: Settings | None = None, scorer: Scorer | None = None, load_model: bool = True) -> FastAPI:
    settings = settings or get_settings()
    docs = settings.environment != "production"  # the docs pages load scripts from a CDN
    app = FastAPI(
        title="triage",
        version="1",
        lifespan=lifespan_for(settings, scorer, load_model),
        description="Pre-screening of public comments on UK councils' social media pages.",
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
    )
    errors.install(app)
    add_session_cookies(app, settings)
    app.add_middleware(LimitsAndMetrics, max_body_bytes=settings.max_body_bytes)
    app.add_middleware(SecurityHeaders, docs_enabled=docs)
    api = (health, session, comments, people, replies, admin)
    for router in (*(module.router for module in api), platforms.router, platforms.admin_router):
        app.include_router(router)
    add_pages(app)
    return app
