"""Liveness, readiness (database and model) and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, generate_latest

from serve.deps import PrincipalDep, SessionDep, StateDep
from serve.errors import ApiError
from serve.schemas import HealthPublic
from triage.storage import repo
from triage.storage.db import accepts_writes

router = APIRouter(tags=["health"])


@router.get("/health/live", response_model=HealthPublic)
def live() -> HealthPublic:
    return HealthPublic(status="ok")


@router.get("/health/ready", response_model=HealthPublic, responses={503: {"model": HealthPublic}})
def ready(state: StateDep, response: Response) -> HealthPublic:
    database = state.database_ok() and accepts_writes(state.database.engine)  # a locked SQLite file is not ready
    model = state.scorer.version if state.scorer else None
    if not (database and model):
        response.status_code = 503
    return HealthPublic(status="ready" if database and model else "not_ready", database=database, model=model)


@router.get("/metrics", summary="Prometheus metrics (needs metrics:read)")
def metrics(principal: PrincipalDep, state: StateDep, session: SessionDep) -> Response:
    if "metrics:read" not in principal.scopes and "admin" not in principal.scopes:
        raise ApiError(403, "forbidden", "metrics need the metrics:read permission")
    # Queue depth for the caller's councils only; the rest are process-wide counters.
    scoped = CollectorRegistry()
    depth = Gauge("triage_review_queue_depth", "open review items", ["council"], registry=scoped)
    for council, count in repo.queue_depth(session, councils=list(principal.councils)).items():
        depth.labels(council).set(count)
    payload = generate_latest(state.metrics.registry) + generate_latest(scoped)
    return Response(payload, media_type=CONTENT_TYPE_LATEST)
