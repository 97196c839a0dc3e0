"""What the service did on its own: listed, filtered, and each reversible with one action."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from serve.deps import RowId, SessionDep, StateDep, reviewer
from serve.security import utcnow
from serve.ui.web import Forbidden, acting_user, current_user, redirect, render
from triage import review
from triage.review.automatic import automatic_actions, reverse

router = APIRouter(include_in_schema=False)


@router.get("/automatic", response_class=HTMLResponse)
def automatic_page(request: Request, session: SessionDep, action: str = "", warned: str = "") -> HTMLResponse:
    user = current_user(request, session)
    chosen = action if action in ("remove", "allow", "respond") else ""
    rows = automatic_actions(session, councils=list(user.councils), action=chosen, warned_only=warned == "1")
    return render(request, "automatic.html", user, rows=rows, action=chosen, warned=warned == "1")


@router.post("/automatic/{decision_id}/reverse", response_model=None)
def reverse_page(
    decision_id: RowId, request: Request, session: SessionDep, state: StateDep, csrf: Annotated[str, Form()] = ""
) -> Response:
    user = acting_user(request, session, csrf, scope="review:write", refusal="your role cannot reverse decisions")
    try:
        reverse(session, decision_id=decision_id, actor=reviewer(user), now=utcnow(), profiles=state.triage.profiles)
    except review.ItemNotFound as error:
        raise Forbidden(str(error)) from None
    except review.ReviewError as error:
        return redirect("/automatic", flash=str(error), request=request)
    return redirect("/automatic", flash="Reversed: recorded as your decision", request=request)
