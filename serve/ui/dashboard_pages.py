"""The dashboard: figures that lead to the items behind them, deadlines met this week, connections
that stopped and failed platform actions, with the admin's buttons to act on them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from serve.deps import RowId, SessionDep, StateDep
from serve.security import Principal, utcnow
from serve.ui.web import acting_user, current_user, redirect, render
from triage import dashboard
from triage.connectors import connections, outbox
from triage.review.listing import queue_rows
from triage.storage import reviews

router = APIRouter(include_in_schema=False)
OUTCOME_WORDS = {"due": "due this week", "met": "met on time", "missed": "missed", "open": "still open"}
INTENT_WORDS = {"foi_or_sar": "FOI or SAR", "service_request": "Service request", "none": "Moderation (no reply owed)"}
STATUS_WORDS = {
    "token_invalid": "its token has expired or was revoked",
    "permission_missing": "its token lacks a permission an action needs",
    "token_missing": "the worker cannot read its token",
}


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard_page(request: Request, session: SessionDep, state: StateDep) -> HTMLResponse:
    user = current_user(request, session)
    thresholds = state.scorer.thresholds if state.scorer else {}
    figures = dashboard.figures(session, councils=list(user.councils), thresholds=thresholds, now=utcnow())
    dead = figures["platforms"]["dead_letters"]
    items = reviews.items_of_comments(session, comment_ids={d["comment_id"] for d in dead})
    return render(
        request,
        "dashboard.html",
        user,
        figures=figures,
        dead_items=items,
        outcomes=OUTCOME_WORDS,
        intent_words=INTENT_WORDS,
        status_words=STATUS_WORDS,
        may_act="admin" in user.scopes,
    )


@router.get("/dashboard/deadlines", response_class=HTMLResponse)
def deadline_items_page(
    request: Request,
    session: SessionDep,
    state: StateDep,
    intent: Annotated[str, Query(max_length=32)] = "",
    outcome: Annotated[str, Query(max_length=8)] = "due",
) -> HTMLResponse:
    """The items behind one figure of the deadlines table."""
    user = current_user(request, session)
    if outcome not in OUTCOME_WORDS:
        outcome = "due"
    now = utcnow()
    per_intent = dashboard.deadlines_this_week(session, councils=list(user.councils), now=now)
    ids = per_intent.get(intent, {}).get(outcome, [])
    items = [item for i in ids if (item := reviews.item_in(session, item_id=i, councils=user.councils))]
    found = [(i, reviews.comment_of(session, item=i), reviews.model_decision_of(session, item=i)) for i in items]
    rows = queue_rows(session, found, state.triage.profiles, now)
    name = INTENT_WORDS.get(intent, intent.replace("_", " ").capitalize()) or "Items"
    title = f"{name}: {OUTCOME_WORDS[outcome]}"
    return render(request, "deadline_items.html", user, rows=rows, title=title)


def _admin(request: Request, session: SessionDep, csrf: str) -> Principal:
    refusal = "only an administrator sends platform actions again or resumes a connection"
    return acting_user(request, session, csrf, scope="admin", refusal=refusal)


@router.post("/dashboard/outbox/{outbox_id}/retry", response_model=None)
def retry_page(
    outbox_id: RowId, request: Request, session: SessionDep, csrf: Annotated[str, Form()] = ""
) -> RedirectResponse:
    user = _admin(request, session, csrf)
    count = outbox.retry_dead(
        session, now=utcnow(), outbox_id=outbox_id, councils=list(user.councils), actor=user.actor
    )
    message = "Sent again: the worker delivers it shortly" if count else "That action is no longer waiting to be sent"
    return redirect("/dashboard#platforms", flash=message, request=request)


@router.post("/dashboard/connections/{connection_id}/resume", response_model=None)
def resume_page(
    connection_id: RowId, request: Request, session: SessionDep, csrf: Annotated[str, Form()] = ""
) -> RedirectResponse:
    user = _admin(request, session, csrf)
    try:
        connections.resume(
            session, connection_id=connection_id, actor=user.actor, now=utcnow(), councils=list(user.councils)
        )
    except connections.ConnectionError_ as error:
        return redirect("/dashboard#platforms", flash=str(error), request=request)
    return redirect("/dashboard#platforms", flash="Deliveries resumed for that connection", request=request)
