"""Helpers for pages: templates, the signed-in user, CSRF tokens, redirects."""

from __future__ import annotations

import hmac
import secrets
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from serve.security import Principal, from_user, signed_in_user

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).resolve().parent.parent / "templates"))


class SignInRequired(Exception):
    """Raised by pages for anonymous visitors: answered with a redirect to /login."""


class Forbidden(Exception):
    """A signed-in person without the role a page needs."""


def current_user(request: Request, session: Session) -> Principal:
    user = signed_in_user(request, session, request.app.state.triage.settings)
    if user is None:
        raise SignInRequired
    return from_user(user)


def acting_user(request: Request, session: Session, csrf: str, *, scope: str, refusal: str) -> Principal:
    """The signed-in person behind a form that changes something: the form must be this site's and
    the person's role must have `scope`, else `refusal` is what they read."""
    user = current_user(request, session)
    check_csrf(request, csrf)
    if scope not in user.scopes:
        raise Forbidden(refusal)
    return user


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return str(token)


def check_csrf(request: Request, submitted: str) -> None:
    expected = request.session.get("csrf", "")
    if not expected or not hmac.compare_digest(str(expected), submitted or ""):
        raise Forbidden("the form has expired or did not come from this site: reload the page and try again")


def render(request: Request, template: str, user: Principal | None, status: int = 200, **context: Any) -> HTMLResponse:
    context |= {
        "request": request,
        "user": user,
        "csrf": csrf_token(request),
        "flash": request.session.get("flash"),
        "undo_id": request.session.pop("undo", None) if request.session.get("flash") else None,
    }
    request.session.pop("flash", None)
    return TEMPLATES.TemplateResponse(request, template, context, status_code=status)


def redirect(url: str, flash: str | None = None, request: Request | None = None) -> RedirectResponse:
    if flash and request is not None:
        request.session["flash"] = flash
    return RedirectResponse(url, status_code=303)
