"""Authors' histories and the review queue as JSON."""

from __future__ import annotations

from fastapi import APIRouter, Query

from serve.deps import PrincipalDep, RowId, SessionDep, StateDep
from serve.errors import ApiError
from serve.schemas import AuthorPublic, OfficerDecisionCreate, OfficerDecisionPublic, ReviewItemPublic
from serve.security import utcnow
from triage import review
from triage.storage import repo
from triage.storage.tables import ReviewItemRow

router = APIRouter(prefix="/v1", tags=["review"])


@router.get("/authors", response_model=AuthorPublic, summary="An author's record and recent comments")
def read_author(principal: PrincipalDep, session: SessionDep, platform: str = Query(max_length=32),
                handle: str = Query(max_length=200), council: str | None = Query(default=None, max_length=64)) -> AuthorPublic:  # fmt: skip
    principal.require("comments:read")
    councils = [council] if council else list(principal.councils)
    if not set(councils) <= set(principal.councils):
        raise ApiError(403, "council_forbidden", f"you do not serve council {council!r}")
    comments = repo.comments_by_author(session, councils=councils, platform=platform, handle=handle)
    if not comments:
        raise ApiError(404, "not_found", "no such author in your councils")
    record = repo.author(session, council=comments[0].council, platform=platform, handle=handle)
    return AuthorPublic(council=comments[0].council, platform=platform, handle=handle,
                        warnings=record.warnings if record else 0, blocked=bool(record and record.blocked),
                        appeal_after=record.appeal_after if record else None,
                        comments=[{"id": c.id, "received_at": c.received_at.isoformat(), "text": c.text} for c in comments])  # fmt: skip


@router.get("/review", response_model=list[ReviewItemPublic], summary="Open review items, most urgent first")
def read_queue(principal: PrincipalDep, session: SessionDep, queue: str | None = Query(default=None, pattern="^(officer|manager)$"),
               order: str = Query(default="priority", pattern="^(priority|uncertainty)$"),
               action: str | None = Query(default=None, pattern="^(allow|respond|refer|remove)$"),
               platform: str | None = Query(default=None, max_length=32), limit: int = Query(default=100, ge=1, le=500)) -> list[ReviewItemPublic]:  # fmt: skip
    principal.require("review:read")
    rows = repo.review_queue(
        session,
        councils=list(principal.councils),
        queue=queue,
        action=action,
        platform=platform,
        order=order,
        limit=limit,
    )
    return [ReviewItemPublic(id=item.id, comment_id=item.comment_id, council=item.council, queue=item.queue, priority=item.priority,
                             respond_by=item.respond_by, uncertainty=item.uncertainty, proposed_action=decision.action,
                             review_causes=decision.review_causes, text=comment.text, platform=comment.platform)
            for item, comment, decision in rows]  # fmt: skip


@router.post(
    "/review/{item_id}/decision", response_model=OfficerDecisionPublic, summary="Confirm or override a proposed action"
)
def decide_item(
    item_id: RowId, body: OfficerDecisionCreate, principal: PrincipalDep, session: SessionDep, state: StateDep
) -> OfficerDecisionPublic:
    principal.require("review:write")
    if principal.kind != "user":
        raise ApiError(403, "people_only", "officer decisions are made by signed-in people, not API keys")
    item = session.get(ReviewItemRow, item_id)
    if item is None or item.council not in principal.councils:
        raise ApiError(404, "not_found", f"no review item {item_id} in your councils")
    try:
        row = review.record_decision(session, item=item, user_id=principal.id, role=principal.role, action=body.action,
                                     labels=dict(body.labels), reason_code=body.reason_code, note=body.note, now=utcnow(),
                                     profile=state.profile(item.council))  # fmt: skip
    except review.ReviewError as error:
        raise ApiError(409, "review_conflict", str(error)) from None
    session.commit()
    return OfficerDecisionPublic(id=row.id, review_item_id=item.id, action=row.action, labels=row.labels,
                                 reason_code=row.reason_code, created_at=row.created_at)  # fmt: skip
