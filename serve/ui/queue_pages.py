"""Queue pages: the moderation, respond and managers' queues, and multi-select with a preview."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from serve.deps import SessionDep, StateDep, reviewer
from serve.security import Principal, utcnow
from serve.ui.web import Forbidden, check_csrf, current_user, redirect, render
from triage import review
from triage.labels import ACTIONS, LABELS
from triage.review.listing import queue_rows, respond_queue
from triage.scoring.base import is_flagged
from triage.storage import repo, reviews

router = APIRouter(include_in_schema=False)
TITLES = {"officer": "Moderation queue", "manager": "Managers' queue", "respond": "Respond queue"}


class QueueFilters:
    def __init__(
        self,
        action: str | None = None,
        platform: str | None = None,
        council: str | None = None,
        label: str | None = None,
        order: str = "priority",
        overdue: str = "",
    ) -> None:
        self.action, self.platform, self.council, self.label, self.order = action, platform, council, label, order
        self.overdue = overdue == "1"


FiltersDep = Annotated[QueueFilters, Depends()]


@router.get("/review", response_class=HTMLResponse)
def queue_page(request: Request, session: SessionDep, state: StateDep, filters: FiltersDep) -> HTMLResponse:
    return _queue(request, session, state, current_user(request, session), "officer", filters)


@router.get("/manager", response_class=HTMLResponse)
def manager_page(request: Request, session: SessionDep, state: StateDep, filters: FiltersDep) -> HTMLResponse:
    user = current_user(request, session)
    if not review.manages(user.role):
        raise Forbidden("the managers' queue is for managers")
    return _queue(request, session, state, user, "manager", filters)


@router.get("/respond", response_class=HTMLResponse)
def respond_page(request: Request, session: SessionDep, state: StateDep) -> HTMLResponse:
    user = current_user(request, session)
    queues = review.visible_queues(user.role)
    rows = respond_queue(
        session, councils=list(user.councils), queues=queues, profiles=state.triage.profiles, now=utcnow()
    )
    return render(request, "queue.html", user, rows=rows, queue="respond", title=TITLES["respond"], filters={})


def _queue(
    request: Request, session: Any, state: Any, user: Principal, queue: str, filters: QueueFilters
) -> HTMLResponse:
    councils = [filters.council] if filters.council in user.councils else list(user.councils)
    order = "uncertainty" if filters.order == "uncertainty" else "priority"
    found = repo.review_queue(
        session,
        councils=councils,
        queue=queue,
        action=filters.action or None,
        platform=filters.platform or None,
        order=order,
        limit=200,
    )
    if filters.label in LABELS:
        label, thresholds = filters.label, state.scorer.thresholds if state.scorer else {}
        scores = reviews.latest_scores(session, comment_ids=[c.id for _, c, _ in found])
        found = [
            (item, comment, decision)
            for item, comment, decision in found
            if any(reason.get("label") == label for reason in decision.reasons)
            or (comment.id in scores and is_flagged(scores[comment.id].scores, label, thresholds))
        ]
    rows = queue_rows(session, found, state.triage.profiles, utcnow())
    if filters.overdue:
        rows = [row for row in rows if row.overdue]
    if order == "priority":  # an overdue item comes first whatever its priority
        rows.sort(key=lambda row: not row.overdue)
    return render(
        request,
        "queue.html",
        user,
        rows=rows,
        queue=queue,
        title=TITLES[queue],
        labels=LABELS,
        actions=ACTIONS,
        filters=vars(filters),
    )


async def bulk_form(request: Request) -> dict[str, Any]:
    form = await request.form()
    return {"items": [str(v) for v in form.getlist("item")], **{k: str(v) for k, v in form.items() if k != "item"}}


BulkDep = Annotated[dict[str, Any], Depends(bulk_form)]


@router.post("/review/bulk", response_model=None)
def bulk_page(request: Request, session: SessionDep, state: StateDep, form: BulkDep) -> Response:
    """The queue's bulk bar: first a preview with the count, then, confirmed, one decision over all."""
    user = current_user(request, session)
    check_csrf(request, form.get("csrf", ""))
    back = form.get("back", "/review") if form.get("back") in ("/review", "/respond", "/manager") else "/review"
    ids = [int(i) for i in form["items"] if i.isdigit()][:200]
    action, row_action = form.get("action", ""), form.get("only", "").isdigit()
    if row_action:  # a row's own button: agree with the model on this row alone, undo in the banner
        ids, action = [int(form["only"])], _proposed(session, int(form["only"]), user)
    if not ids or action not in ACTIONS:
        return redirect(back, flash="Tick at least one item and choose an action", request=request)
    items = [item for i in ids if (item := reviews.item_in(session, item_id=i, councils=user.councils))]
    if form.get("confirm") != "yes" and not row_action:
        found_rows = [
            (i, reviews.comment_of(session, item=i), reviews.model_decision_of(session, item=i)) for i in items
        ]
        rows = queue_rows(session, found_rows, state.triage.profiles, utcnow())
        return render(request, "bulk.html", user, rows=rows, action=action, back=back)
    try:
        outcome = review.decide_items(
            session,
            item_ids=[item.id for item in items] or ids,
            actor=reviewer(user),
            decision=review.OfficerDecision(action=action, reason_code="bulk_from_queue"),
            profiles=state.triage.profiles,
            now=utcnow(),
        )
    except review.ReviewError as error:
        return redirect(back, flash=str(error), request=request)
    request.session["undo"] = outcome.decision_ids[0]
    count = len(outcome.decision_ids)
    return redirect(back, flash=f"Decided {count} item{'s' if count != 1 else ''}: {action}", request=request)


def _proposed(session: Any, item_id: int, user: Principal) -> str:
    item = reviews.item_in(session, item_id=item_id, councils=user.councils)
    return reviews.model_decision_of(session, item=item).action if item else ""
