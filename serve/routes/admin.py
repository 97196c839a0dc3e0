"""Admin operations: reload the model bundle from disk (after `triage promote`)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from serve.deps import PrincipalDep, StateDep
from serve.errors import ApiError
from serve.security import utcnow
from serve.state import AppState
from triage.policy.profile import known_councils
from triage.storage import repo

router = APIRouter(prefix="/v1/admin", tags=["admin"])


class ReloadPublic(BaseModel):
    model_version: str


@router.post(
    "/reload-model", response_model=ReloadPublic, summary="Load the bundle again and swap it in without downtime"
)
async def reload_model(principal: PrincipalDep, state: StateDep) -> ReloadPublic:
    principal.require("admin")
    if not set(known_councils(state.settings.council_profiles)) <= set(principal.councils):
        raise ApiError(403, "global_admin_only", "the model serves every council: only an admin of all may reload it")
    try:
        version = await state.reload_model()
    except Exception as error:
        raise ApiError(
            409,
            "reload_failed",
            f"the bundle at {state.settings.model_path} could not be loaded: {error}; still serving the old model",
        ) from None
    await run_in_threadpool(_note_reload, state, principal.actor, version)
    return ReloadPublic(model_version=version)


def _note_reload(state: AppState, actor: str, version: str) -> None:
    # In a worker thread: database work never runs on the event loop that drives the batchers.
    with state.sessions() as session:
        repo.audit(
            session,
            actor=actor,
            kind="model_reloaded",
            subject="model",
            council=None,
            detail={"version": version},
            now=utcnow(),
        )
        session.commit()
