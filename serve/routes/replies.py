"""Saved replies as JSON: a council's named replies, listed, saved and deleted (the page is /replies)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from serve.deps import PrincipalDep, RowId, SessionDep
from serve.errors import ApiError
from serve.security import utcnow
from triage.review import ItemNotFound, ReviewError, saved_replies
from triage.storage.saved_replies import SavedReply

router = APIRouter(prefix="/v1", tags=["review"])


class SavedReplyCreate(BaseModel):
    council: str = Field(max_length=64)
    name: str = Field(max_length=saved_replies.MAX_NAME)
    text: str = Field(max_length=saved_replies.MAX_TEXT)


class SavedReplyPublic(BaseModel):
    id: int
    council: str
    name: str
    text: str
    updated_at: datetime


def _public(row: SavedReply) -> SavedReplyPublic:
    return SavedReplyPublic(id=row.id, council=row.council, name=row.name, text=row.text, updated_at=row.updated_at)


@router.get("/replies", response_model=list[SavedReplyPublic], summary="Saved replies of your councils")
def list_replies(
    principal: PrincipalDep, session: SessionDep, council: Annotated[str | None, Query(max_length=64)] = None
) -> list[SavedReplyPublic]:
    principal.require("review:read")
    return [_public(r) for r in saved_replies.listing(session, councils=principal.councils, council=council)]


@router.post("/replies", response_model=SavedReplyPublic, summary="Save a reply (the same name replaces its text)")
def save_reply(body: SavedReplyCreate, principal: PrincipalDep, session: SessionDep) -> SavedReplyPublic:
    principal.require("review:write")
    try:
        row = saved_replies.save(
            session, **body.model_dump(), actor=principal.actor, councils=principal.councils, now=utcnow()
        )
    except ItemNotFound as error:
        raise ApiError(403, "not_your_council", str(error)) from None
    except ReviewError as error:
        raise ApiError(422, "bad_saved_reply", str(error)) from None
    return _public(row)


@router.delete("/replies/{reply_id}", status_code=204, summary="Delete a saved reply")
def delete_reply(reply_id: RowId, principal: PrincipalDep, session: SessionDep) -> Response:
    principal.require("review:write")
    try:
        saved_replies.delete(
            session, reply_id=reply_id, actor=principal.actor, councils=principal.councils, now=utcnow()
        )
    except ReviewError as error:
        raise ApiError(404, "not_found", str(error)) from None
    return Response(status_code=204)
