"""Annotated dependency aliases: the state, a database session, the calling principal."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Path, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from serve.security import Principal, authenticate
from serve.state import AppState
from triage.review import Actor


async def get_state(request: Request) -> AppState:
    # async: FastAPI runs a plain-def dependency in a worker thread, a hop on every request
    return request.app.state.triage  # type: ignore[no-any-return]


StateDep = Annotated[AppState, Depends(get_state)]


def get_session(state: StateDep) -> Iterator[Session]:
    with state.sessions() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def _authenticate(request: Request, state: AppState) -> Principal:
    # Its own short session, closed before the handler runs: a request must never hold one
    # connection while waiting for another (under load that exhausts the pool and deadlocks).
    with state.sessions() as session:
        return authenticate(request, session, state.settings)


async def get_principal(request: Request, state: StateDep) -> Principal:
    principal = await state.keys.get_or_verify(request, lambda: run_in_threadpool(_authenticate, request, state))
    await state.limiter.check(principal.actor)
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


# Database ids are 64-bit: a larger number is a 422, never an overflow inside the driver.
RowId = Annotated[int, Path(ge=1, le=2**62)]


def reviewer(principal: Principal) -> Actor:
    """The signed-in person as the review commands see them."""
    return Actor(user_id=principal.id, role=principal.role, councils=principal.councils)
