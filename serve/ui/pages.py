"""Pages: sign in and out, the audit log (the review pages are in review_pages.py, the dashboard in
dashboard_pages.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from serve.deps import SessionDep, StateDep
from serve.security import client_address, end_cookie_session, start_session, utcnow
from serve.ui.web import check_csrf, current_user, redirect, render
from triage import signin
from triage.review import audit_log

router = APIRouter(include_in_schema=False)


@router.get("/", response_model=None)
def home() -> RedirectResponse:
    return RedirectResponse("/review", status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> HTMLResponse:
    return render(request, "login.html", None)


@router.post("/login", response_model=None)
def login(
    request: Request,
    session: SessionDep,
    state: StateDep,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    csrf: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    address = client_address(request)
    outcome = signin.sign_in(
        session, username=username, password=password, address=address, throttle=state.throttle, now=utcnow()
    )
    if outcome.retry_after is not None:
        wait = f"Too many failed attempts: try again in {outcome.retry_after} seconds"
        return render(request, "login.html", None, status=429, error=wait)
    if outcome.token is None:
        return render(request, "login.html", None, status=401, error="Enter a correct user name and password")
    start_session(request, outcome.token)
    return redirect("/review")


@router.post("/logout", response_model=None)
def logout(request: Request, session: SessionDep, csrf: Annotated[str, Form()] = "") -> RedirectResponse:
    check_csrf(request, csrf)
    signin.sign_out(session, token=end_cookie_session(request), now=utcnow())
    return redirect("/login")


def _day(value: str) -> date | None:
    """A date filter: empty for none; anything but YYYY-MM-DD is a 422."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise HTTPException(422, "dates are written YYYY-MM-DD") from None


@router.get("/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    session: SessionDep,
    by: str = "",
    kind: str = "",
    date_from: Annotated[str, Query(alias="from", max_length=10)] = "",
    date_to: Annotated[str, Query(alias="to", max_length=10)] = "",
) -> HTMLResponse:
    user = current_user(request, session)
    start, end = _day(date_from), _day(date_to)
    councils = list(user.councils)
    since = datetime.combine(start, time(0), UTC) if start else None
    until = datetime.combine(end, time(0), UTC) + timedelta(days=1) if end else None
    rows = audit_log.entries(session, councils=councils, actor=user.actor, by=by, kind=kind, since=since, until=until)
    filters = {"by": by, "kind": kind, "from": start or "", "to": end or ""}
    officers, kinds = audit_log.officers(session, councils=councils), audit_log.KINDS
    return render(request, "audit.html", user, entries=rows, filters=filters, officers=officers, kinds=kinds)
