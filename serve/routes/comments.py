"""POST comments (single and batch), read a comment with its decision history."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter

from serve.deps import PrincipalDep, RowId, SessionDep, StateDep
from serve.errors import ApiError
from serve.schemas import BatchCreate, BatchPublic, CommentCreate, CommentHistoryPublic, CommentPublic, DecisionPublic
from serve.security import Principal
from triage.service import IncomingComment
from triage.storage import repo

router = APIRouter(prefix="/v1/comments", tags=["comments"])


def council_for(body: CommentCreate, principal: Principal) -> str:
    if body.council:
        if body.council not in principal.councils:
            raise ApiError(403, "council_forbidden", f"this key does not serve council {body.council!r}")
        return body.council
    if len(principal.councils) != 1:
        raise ApiError(422, "council_required", "this key serves several councils: send a `council` field")
    return principal.councils[0]


def incoming(body: CommentCreate, principal: Principal) -> IncomingComment:
    return IncomingComment(
        council=council_for(body, principal),
        platform=body.platform,
        external_id=body.external_id,
        author_handle=body.author_handle,
        post_id=body.post_id,
        post_topic=body.post_topic,
        text=body.text,
        created_at=body.created_at,
        permalink=body.permalink,
        post_text=body.post_text,
    )


@router.post(
    "",
    response_model=CommentPublic,
    status_code=200,
    summary="Triage one comment (idempotent by platform and external id)",
)
async def create_comment(body: CommentCreate, principal: PrincipalDep, state: StateDep) -> CommentPublic:
    principal.require("comments:write")
    return CommentPublic.model_validate(await state.ingest(incoming(body, principal)), from_attributes=True)


@router.post("/batch", response_model=BatchPublic, summary="Triage up to 100 comments")
async def create_batch(body: BatchCreate, principal: PrincipalDep, state: StateDep) -> BatchPublic:
    principal.require("comments:write")
    items = [incoming(comment, principal) for comment in body.comments]
    results = await asyncio.gather(*(state.ingest(item) for item in items))
    return BatchPublic(results=[CommentPublic.model_validate(r, from_attributes=True) for r in results])


@router.get("/{comment_id}", response_model=CommentHistoryPublic, summary="A comment and its decision history")
def read_comment(comment_id: RowId, principal: PrincipalDep, session: SessionDep) -> CommentHistoryPublic:
    principal.require("comments:read")
    row = repo.get_comment(session, comment_id=comment_id, councils=list(principal.councils))
    if row is None:
        raise ApiError(404, "not_found", f"no comment {comment_id} in your councils")
    history = [
        DecisionPublic(
            kind="model",
            at=d.created_at,
            action=d.action,
            detail={
                "flags": d.flags,
                "reasons": d.reasons,
                "model_version": d.model_version,
                "policy_version": d.policy_version,
                "review_causes": d.review_causes,
            },
        )
        for d in repo.decisions_of(session, comment_id=row.id)
    ]
    history += [
        DecisionPublic(
            kind="officer",
            at=o.created_at,
            action=o.action,
            detail={"labels": o.labels, "reason_code": o.reason_code, "user_id": o.user_id},
        )
        for o in repo.officer_decisions_of(session, comment_id=row.id)
    ]
    return CommentHistoryPublic(
        id=row.id,
        council=row.council,
        platform=row.platform,
        post_id=row.post_id,
        text=row.text,
        redacted_text=row.redacted_text,
        received_at=row.received_at,
        decisions=history,
    )
