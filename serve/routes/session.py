"""Sign in and out (a signed session cookie) for people using the API or the review UI."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from serve.deps import SessionDep
from serve.errors import ApiError
from serve.security import start_session
from triage.storage.accounts import authenticate

router = APIRouter(prefix="/v1/session", tags=["session"])


class SignIn(BaseModel):
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=200)


class SessionPublic(BaseModel):
    username: str
    role: str
    councils: list[str]


@router.post("", response_model=SessionPublic, summary="Sign in")
def sign_in(body: SignIn, request: Request, session: SessionDep) -> SessionPublic:
    user = authenticate(session, username=body.username, password=body.password)
    if user is None:
        raise ApiError(401, "bad_credentials", "unknown user name or wrong password")
    start_session(request, session, user)
    return SessionPublic(username=user.username, role=user.role, councils=list(user.councils))


@router.post("/logout", status_code=204, summary="Sign out")
def sign_out(request: Request) -> None:
    request.session.clear()
