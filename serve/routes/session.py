"""Sign in and out (a server-side session named by a signed cookie) for people using the API."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from serve.deps import SessionDep, StateDep
from serve.errors import ApiError
from serve.security import client_address, end_cookie_session, start_session, utcnow
from triage import signin

router = APIRouter(prefix="/v1/session", tags=["session"])


class SignIn(BaseModel):
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=200)


class SessionPublic(BaseModel):
    username: str
    role: str
    councils: list[str]


@router.post("", response_model=SessionPublic, summary="Sign in")
def sign_in(body: SignIn, request: Request, session: SessionDep, state: StateDep) -> SessionPublic:
    address = client_address(request)
    outcome = signin.sign_in(
        session, username=body.username, password=body.password, address=address, throttle=state.throttle, now=utcnow()
    )
    if outcome.retry_after is not None:
        message = f"too many failed sign-ins; try again in {outcome.retry_after}s"
        raise ApiError(429, "sign_in_throttled", message, {"Retry-After": str(outcome.retry_after)})
    if outcome.user is None or outcome.token is None:
        raise ApiError(401, "bad_credentials", "unknown user name or wrong password")
    start_session(request, outcome.token)
    user = outcome.user
    return SessionPublic(username=user.username, role=user.role, councils=list(user.councils))


@router.post("/logout", status_code=204, summary="Sign out (ends the session on the server too)")
def sign_out(request: Request, session: SessionDep) -> None:
    signin.sign_out(session, token=end_cookie_session(request), now=utcnow())
