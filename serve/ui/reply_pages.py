"""Saved replies: the council's list to add to and delete from, and saving the reply on an item page."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from serve.deps import RowId, SessionDep
from serve.security import Principal, utcnow
from serve.ui.web import acting_user, current_user, redirect, render
from triage.review import ReviewError, saved_replies

router = APIRouter(include_in_schema=False)
BACK = re.compile(r"^/review/\d{1,18}$")  # only back to an item page (never elsewhere), else the list


def _writer(request: Request, session: SessionDep, csrf: str) -> Principal:
    return acting_user(request, session, csrf, scope="review:write", refusal="your role cannot change saved replies")


@router.get("/replies", response_class=HTMLResponse)
def replies_page(request: Request, session: SessionDep) -> HTMLResponse:
    user = current_user(request, session)
    rows = saved_replies.listing(session, councils=user.councils)
    return render(request, "replies.html", user, replies=rows, may_edit="review:write" in user.scopes)


@router.post("/replies", response_model=None)
def save_page(
    request: Request,
    session: SessionDep,
    council: Annotated[str, Form(max_length=64)],
    name: Annotated[str, Form(max_length=400)] = "",
    text: Annotated[str, Form(max_length=8000)] = "",
    back: Annotated[str, Form(max_length=40)] = "",
    csrf: Annotated[str, Form()] = "",
) -> RedirectResponse:
    user = _writer(request, session, csrf)
    back = back if BACK.match(back) else "/replies"
    try:
        row = saved_replies.save(
            session, council=council, name=name, text=text, actor=user.actor, councils=user.councils, now=utcnow()
        )
    except ReviewError as error:
        return redirect(back, flash=f"Not saved: {error}", request=request)
    shown = f"{back}?saved={row.id}" if back != "/replies" else back  # the item's box shows what was saved
    return redirect(shown, flash=f"Saved the reply \u201c{row.name}\u201d for {row.council}", request=request)


@router.post("/replies/{reply_id}/delete", response_model=None)
def delete_page(
    reply_id: RowId, request: Request, session: SessionDep, csrf: Annotated[str, Form()] = ""
) -> RedirectResponse:
    user = _writer(request, session, csrf)
    try:
        name = saved_replies.delete(session, reply_id=reply_id, actor=user.actor, councils=user.councils, now=utcnow())
    except ReviewError as error:
        return redirect("/replies", flash=str(error), request=request)
    return redirect("/replies", flash=f"Deleted the saved reply \u201c{name}\u201d", request=request)
