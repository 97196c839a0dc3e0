"""Review pages: the officers' and managers' queues, an item, the decision form and undo. Handlers
that touch the database are plain functions: FastAPI runs them off the event loop."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from serve.deps import RowId, SessionDep, StateDep, reviewer
from serve.security import utcnow
from serve.ui.web import Forbidden, check_csrf, current_user, redirect, render
from triage import review
from triage.connectors import outbox
from triage.connectors import status as connector_status
from triage.labels import ACTIONS, LABELS, REASON_CODES
from triage.policy.engine import local_time
from triage.policy.explain import is_near_miss, reason_words
from triage.review import replies, saved_replies
from triage.scoring.base import flagged
from triage.storage import accounts, reviews
from triage.text import split_at_spans

router = APIRouter(include_in_schema=False)
ACTION_WORDS = {
    "allow": "Left it up",
    "respond": "Replied",
    "refer": "Referred to a manager",
    "remove": "Removed it",
    "undo": "Undid the decision before",
}


async def form_fields(request: Request) -> dict[str, str]:
    # The form is read on the event loop (it is I/O); the handler then runs in a worker thread.
    return {name: str(value) for name, value in (await request.form()).items()}


FormDep = Annotated[dict[str, str], Depends(form_fields)]


def _replies(session: Any, item: Any, suggested: str, chosen: int | None) -> dict[str, Any]:
    """The suggested reply, the council's saved ones (a chosen one fills the box), and where the
    reply goes: posted through a live connection, recorded in shadow mode, or copied by hand."""
    saved = saved_replies.listing(session, councils=[item.council], council=item.council)
    picked = next((r.text for r in saved if r.id == chosen), None)
    return {
        "reply": suggested if picked is None else picked,
        "saved_replies": saved,
        "chosen_reply": chosen if picked is not None else None,
        "reply_channel": outbox.reply_channel(session, comment_id=item.comment_id),
    }


def _item_context(session: Any, state: Any, item: Any, chosen: int | None = None) -> dict[str, Any]:
    details = reviews.item_details(session, item=item)
    score, text = details["score"], details["comment"].text or ""
    thresholds = state.scorer.thresholds if state.scorer else {}
    reasons, profile = details["decision"].reasons, state.triage.profiles(item.council)
    intent, flags = score.intent if score else "none", list(details["decision"].flags)
    suggested = replies.suggest(profile, intent=intent, flags=flags, now=utcnow())
    return (
        details
        | _replies(session, item, suggested, chosen)
        | {
            "next_step": replies.next_step(intent, profile),
            "no_engagement": "no_engagement" in flags,
            "platform_actions": connector_status.platform_actions(session, comment_id=item.comment_id),
            "names": accounts.user_names(session, user_ids={d.user_id for d in details["officer_decisions"]}),
            "action_words": ACTION_WORDS,
            "segments": split_at_spans(text, score.pii_spans if score else []),
            "reasons": [(reason_words(r), r) for r in reasons if not is_near_miss(r)],
            "near_misses": [(reason_words(r), r) for r in reasons if is_near_miss(r)],
            "thresholds": thresholds,
            "flagged": flagged(score.scores, thresholds) if score else [],
            "labels": LABELS,
            "actions": ACTIONS,
            "reason_codes": REASON_CODES,
        }
    )


@router.post("/review/{item_id}/release", response_model=None)
def release_page(item_id: RowId, request: Request, session: SessionDep, csrf: Annotated[str, Form()] = "") -> Response:
    """Let the item go before the claim runs out, so a colleague can take it now."""
    user = current_user(request, session)
    check_csrf(request, csrf)
    item = reviews.item_in(session, item_id=item_id, councils=user.councils)
    if item is None:
        raise Forbidden("no such item in your councils")
    released = review.release(item, user_id=user.id)
    session.commit()
    message = "You let the item go: a colleague can take it now" if released else "You were not holding this item"
    return redirect("/review", flash=message, request=request)


@router.get("/review/{item_id}", response_class=HTMLResponse)
def item_page(
    item_id: RowId,
    request: Request,
    session: SessionDep,
    state: StateDep,
    saved: Annotated[int | None, Query(ge=1, le=2**62)] = None,
) -> HTMLResponse:
    user = current_user(request, session)
    item = reviews.item_in(session, item_id=item_id, councils=user.councils)
    if item is None:
        raise Forbidden("no such item in your councils")
    claim_error, held_until = None, None
    can_decide = "review:write" in user.scopes and review.may_decide(user.role, item.queue)
    if can_decide and item.status == "open":
        try:
            review.claim(item, user_id=user.id, now=utcnow(), minutes=state.settings.review_claim_minutes)
            session.commit()
            held_until = local_time(utcnow() + timedelta(minutes=state.settings.review_claim_minutes)).strftime("%H:%M")
        except review.ReviewError as error:
            claim_error, can_decide = str(error), False
    context = _item_context(session, state, item, saved)
    councils, now = list(user.councils), utcnow()
    following = review.next_item(session, councils=councils, queue=item.queue, user_id=user.id, now=now, skip=item.id)
    return render(
        request,
        "item.html",
        user,
        can_decide=can_decide,
        claim_error=claim_error,
        held_until=held_until,
        next_id=following,
        wave=len(review.near_duplicates(session, item=item)) if item.status == "open" else 0,
        **context,
    )


def officer_decision(form: dict[str, str]) -> review.OfficerDecision:
    return review.OfficerDecision(
        action=form.get("action", ""),
        labels={label: int(form.get(f"label_{label}") == "1") for label in LABELS},
        reason_code=form.get("reason_code", "other"),
        note=form.get("note", ""),
        bulk=form.get("bulk", "one"),
        author_action=form.get("author_action", "none"),
        redact=form.get("redact") == "1",
        reply=form.get("reply", ""),
    )


@router.post("/review/{item_id}/decide", response_model=None)
def decide_page(item_id: RowId, request: Request, session: SessionDep, state: StateDep, form: FormDep) -> Response:
    user = current_user(request, session)
    check_csrf(request, form.get("csrf", ""))
    if "review:write" not in user.scopes:
        raise Forbidden("your role cannot decide review items")
    try:
        outcome = review.decide(
            session,
            item_id=item_id,
            actor=reviewer(user),
            decision=officer_decision(form),
            profiles=state.triage.profiles,
            now=utcnow(),
        )
    except review.ItemNotFound as error:
        raise Forbidden(str(error)) from None
    except review.ReviewError as error:
        return redirect(f"/review/{item_id}", flash=str(error), request=request)
    count = len(outcome.decision_ids)
    done = f"Decided {count} item{'s' if count != 1 else ''}: {outcome.action}"
    request.session["undo"] = outcome.decision_ids[0]
    following = review.next_item(
        session, councils=list(user.councils), queue=outcome.queue, user_id=user.id, now=utcnow()
    )
    queue_page = "/manager" if outcome.queue == "manager" else "/review"
    return redirect(f"/review/{following}" if following else queue_page, flash=done, request=request)


@router.post("/decisions/{decision_id}/undo", response_model=None)
def undo_page(decision_id: RowId, request: Request, session: SessionDep, csrf: Annotated[str, Form()] = "") -> Response:
    user = current_user(request, session)
    check_csrf(request, csrf)
    try:
        outcome = review.undo(session, decision_id=decision_id, actor=reviewer(user), now=utcnow())
    except review.ItemNotFound as error:
        raise Forbidden(str(error)) from None
    except review.ReviewError as error:
        decision = reviews.officer_decision(session, decision_id=decision_id)
        return redirect(f"/review/{decision.review_item_id if decision else ''}", flash=str(error), request=request)
    flash = "Decision undone: the item is open again"
    return redirect(f"/review/{outcome.review_item_id}", flash=flash, request=request)
