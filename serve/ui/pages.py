"""Pages: sign in and out, the queue, an item, the managers' queue, the audit log, the dashboard."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from serve.deps import SessionDep, StateDep
from serve.security import Principal, start_session, utcnow
from serve.ui.web import Forbidden, check_csrf, current_user, redirect, render
from triage import dashboard, review
from triage.labels import ACTIONS, LABELS
from triage.storage import repo
from triage.storage.accounts import authenticate
from triage.storage.tables import AuditEventRow, CommentRow, DecisionRow, OfficerDecisionRow, ReviewItemRow, ScoreRow

router = APIRouter(include_in_schema=False)
REASON_CODES = ("agree_with_model", "abusive", "threatening", "hateful", "obscene", "spam", "party_political",
                "personal_information", "legitimate_criticism", "needs_answer", "off_topic", "other")  # fmt: skip


@router.get("/", response_model=None)
def home() -> RedirectResponse:
    return RedirectResponse("/review", status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> HTMLResponse:
    return render(request, "login.html", None)


@router.post("/login", response_model=None)
def login(request: Request, session: SessionDep, username: Annotated[str, Form()], password: Annotated[str, Form()],
          csrf: Annotated[str, Form()] = "") -> Response:  # fmt: skip
    check_csrf(request, csrf)
    user = authenticate(session, username=username, password=password)
    if user is None:
        return render(request, "login.html", None, status=401, error="Enter a correct user name and password")
    start_session(request, session, user)
    return redirect("/review")


@router.post("/logout", response_model=None)
def logout(request: Request, csrf: Annotated[str, Form()] = "") -> RedirectResponse:
    check_csrf(request, csrf)
    request.session.clear()
    return redirect("/login")


@router.get("/review", response_class=HTMLResponse)
def queue_page(request: Request, session: SessionDep, action: str | None = None, platform: str | None = None,
               council: str | None = None, label: str | None = None, order: str = "priority") -> HTMLResponse:  # fmt: skip
    user = current_user(request, session)
    return _queue(request, session, user, "officer", action, platform, council, label, order)


@router.get("/manager", response_class=HTMLResponse)
def manager_page(request: Request, session: SessionDep, action: str | None = None, platform: str | None = None,
                 council: str | None = None, label: str | None = None, order: str = "priority") -> HTMLResponse:  # fmt: skip
    user = current_user(request, session)
    if user.role not in ("manager", "admin"):
        raise Forbidden("the managers' queue is for managers")
    return _queue(request, session, user, "manager", action, platform, council, label, order)


def _queue(request: Request, session, user, queue: str, action, platform, council, label, order) -> HTMLResponse:  # type: ignore[no-untyped-def]
    councils = [council] if council in user.councils else list(user.councils)
    rows = repo.review_queue(session, councils=councils, queue=queue, action=action or None, platform=platform or None,
                             order="uncertainty" if order == "uncertainty" else "priority", limit=200)  # fmt: skip
    if label in LABELS:
        scores = {
            s.comment_id: s.scores
            for s in session.scalars(select(ScoreRow).where(ScoreRow.comment_id.in_([c.id for _, c, _ in rows])))
        }
        rows = [
            r
            for r in rows
            if any(reason.get("label") == label for reason in r[2].reasons)
            or scores.get(r[1].id, {}).get(label, 0) >= 0.5
        ]
    return render(request, "queue.html", user, rows=rows, queue=queue, now=utcnow(), labels=LABELS, actions=ACTIONS,
                  filters={"action": action, "platform": platform, "council": council, "label": label, "order": order})  # fmt: skip


def _item_context(session, state, item: ReviewItemRow) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    comment = session.get(CommentRow, item.comment_id)
    decision = session.get(DecisionRow, item.decision_id)
    score = repo.latest_score(session, comment_id=comment.id)
    author = repo.author(
        session, council=comment.council, platform=comment.platform, handle=comment.author_handle or ""
    )
    earlier = [c for c in repo.comments_by_author(session, councils=[comment.council], platform=comment.platform,
                                                  handle=comment.author_handle or "", limit=20) if c.id != comment.id]  # fmt: skip
    officer = repo.officer_decisions_of(session, comment_id=comment.id)
    thresholds = state.scorer.thresholds if state.scorer else {}
    return {"item": item, "comment": comment, "decision": decision, "score": score, "author": author, "earlier": earlier,
            "officer_decisions": officer, "segments": _segments(comment.text or "", score.pii_spans if score else []),
            "thresholds": thresholds, "labels": LABELS, "actions": ACTIONS, "reason_codes": REASON_CODES}  # fmt: skip


def _segments(text: str, spans: list[dict[str, Any]]) -> list[tuple[str, str | None]]:
    """The text cut into (piece, PII type or None) so the template can mark the spans."""
    out: list[tuple[str, str | None]] = []
    last = 0
    for span in sorted(spans, key=lambda s: s["start"]):
        out += [(text[last : span["start"]], None), (text[span["start"] : span["end"]], span["type"])]
        last = span["end"]
    return [*out, (text[last:], None)]


def _load_item(session: Session, user: Principal, item_id: int) -> ReviewItemRow:
    item = session.get(ReviewItemRow, item_id)
    if item is None or item.council not in user.councils:
        raise Forbidden("no such item in your councils")
    return item


@router.get("/review/{item_id}", response_class=HTMLResponse)
def item_page(item_id: int, request: Request, session: SessionDep, state: StateDep) -> HTMLResponse:
    user = current_user(request, session)
    item = _load_item(session, user, item_id)
    claim_error = None
    can_decide = "review:write" in user.scopes and (item.queue == "officer" or user.role in ("manager", "admin"))
    if can_decide and item.status == "open":
        try:
            review.claim(session, item=item, user_id=user.id, now=utcnow(), minutes=state.settings.review_claim_minutes)
            session.commit()
        except review.ReviewError as error:
            claim_error, can_decide = str(error), False
    return render(
        request,
        "item.html",
        user,
        can_decide=can_decide,
        claim_error=claim_error,
        **_item_context(session, state, item),
    )


@router.post("/review/{item_id}/decide", response_model=None)
async def decide_page(item_id: int, request: Request, session: SessionDep, state: StateDep) -> Response:
    user = current_user(request, session)
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    if "review:write" not in user.scopes:
        raise Forbidden("your role cannot decide review items")
    item = _load_item(session, user, item_id)
    labels = {label: int(form.get(f"label_{label}") == "1") for label in LABELS}
    scope = str(form.get("bulk", "one"))
    targets = [item] if scope == "one" else review.bulk_targets(session, item=item, scope=scope)
    profile = state.profile(item.council)
    try:
        for target in targets:
            review.record_decision(session, item=target, user_id=user.id, role=user.role, action=str(form.get("action", "")),
                                   labels=labels, reason_code=str(form.get("reason_code", "other")), note=str(form.get("note", ""))[:2000],
                                   now=utcnow(), profile=profile)  # fmt: skip
            target_comment = session.get(CommentRow, target.comment_id)
            assert target_comment is not None  # review items always point at a stored comment
            review.apply_author_action(session, item=target, comment=target_comment, action=str(form.get("author_action", "none")),
                                       role=user.role, appeal_months=profile.escalation.block_appeal_months, user_id=user.id, now=utcnow())  # fmt: skip
            if form.get("redact") == "1":
                review.redact(session, comment=target_comment, user_id=user.id, now=utcnow())
    except review.ReviewError as error:
        session.rollback()
        return redirect(f"/review/{item_id}", flash=str(error), request=request)
    session.commit()
    done = f"Decided {len(targets)} item{'s' if len(targets) != 1 else ''}: {form.get('action')}"
    return redirect("/manager" if item.queue == "manager" else "/review", flash=done, request=request)


@router.post("/decisions/{decision_id}/undo", response_model=None)
def undo_page(decision_id: int, request: Request, session: SessionDep, csrf: Annotated[str, Form()] = "") -> Response:
    user = current_user(request, session)
    check_csrf(request, csrf)
    decision = session.get(OfficerDecisionRow, decision_id)
    if decision is None:
        raise Forbidden("no such decision")
    _load_item(session, user, decision.review_item_id)
    try:
        review.undo(session, decision=decision, user_id=user.id, now=utcnow())
    except review.ReviewError as error:
        return redirect(f"/review/{decision.review_item_id}", flash=str(error), request=request)
    session.commit()
    return redirect(
        f"/review/{decision.review_item_id}", flash="Decision undone: the item is open again", request=request
    )


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, session: SessionDep) -> HTMLResponse:
    user = current_user(request, session)
    events = session.scalars(select(AuditEventRow).where((AuditEventRow.council.in_(user.councils)) | (AuditEventRow.actor == user.actor))
                             .order_by(AuditEventRow.id.desc()).limit(300))  # fmt: skip
    return render(request, "audit.html", user, events=list(events))


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard_page(request: Request, session: SessionDep, state: StateDep) -> HTMLResponse:
    user = current_user(request, session)
    thresholds = state.scorer.thresholds if state.scorer else {}
    return render(
        request,
        "dashboard.html",
        user,
        figures=dashboard.figures(session, councils=list(user.councils), thresholds=thresholds, now=utcnow()),
    )
