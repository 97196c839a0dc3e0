"""Platform webhooks (Meta, X): handshakes, signed deliveries stored before the 200; and the admin
view of connections, dead letters and their retry."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse
from starlette.concurrency import run_in_threadpool

from serve.deps import PrincipalDep, RowId, SessionDep, StateDep
from serve.errors import ApiError
from serve.security import utcnow
from serve.state import AppState
from triage.connectors import inbound, outbox, signatures, status
from triage.connectors.payloads import PayloadError

router = APIRouter(prefix="/v1/platforms", tags=["platforms"])
admin_router = APIRouter(prefix="/v1/admin", tags=["admin"])


def _refuse(state: AppState, source: str) -> ApiError:
    state.metrics.webhooks.labels(source, "refused").inc()
    return ApiError(403, "bad_signature", "the delivery is not signed with this app's secret")


def _store(state: AppState, source: str, raw: bytes) -> dict[str, Any]:
    """Durably stored (committed) before the caller answers 200; then the worker is woken."""
    with state.sessions() as session:
        try:
            event_id, new = inbound.receive(session, source=source, body=raw, now=utcnow())
        except PayloadError as error:
            state.metrics.webhooks.labels(source, "unreadable").inc()
            raise ApiError(400, "bad_payload", str(error)) from None
    state.metrics.webhooks.labels(source, "stored" if new else "duplicate").inc()
    if state.connector_nudge is not None:
        state.connector_nudge.set()
    return {"received": True, "event_id": event_id, "duplicate": not new}


@router.get("/meta/webhook", response_class=PlainTextResponse, summary="Meta's subscription handshake")
def meta_handshake(
    state: StateDep,
    mode: Annotated[str | None, Query(alias="hub.mode")] = None,
    token: Annotated[str | None, Query(alias="hub.verify_token")] = None,
    challenge: Annotated[str | None, Query(alias="hub.challenge")] = None,
) -> PlainTextResponse:
    try:
        return PlainTextResponse(signatures.meta_handshake(mode, token, challenge, state.settings.meta_verify_token))
    except signatures.HandshakeRefused as error:
        raise ApiError(403, "handshake_refused", str(error)) from None


@router.post("/meta/webhook", summary="Meta Page and Instagram comment changes (signed)")
async def meta_webhook(request: Request, state: StateDep) -> dict[str, Any]:
    raw = await request.body()
    if not signatures.meta_signature_ok(
        raw, request.headers.get("x-hub-signature-256"), state.settings.meta_app_secret
    ):
        raise _refuse(state, "meta")
    return await run_in_threadpool(_store, state, "meta", raw)


@router.get("/x/webhook", summary="X's challenge-response check")
def x_crc(state: StateDep, crc_token: str | None = None) -> dict[str, str]:
    try:
        return signatures.x_crc_response(crc_token, state.settings.x_consumer_secret)
    except signatures.HandshakeRefused as error:
        raise ApiError(403, "crc_refused", str(error)) from None


@router.post("/x/webhook", summary="X account activity: replies to the council's posts (signed)")
async def x_webhook(request: Request, state: StateDep) -> dict[str, Any]:
    raw = await request.body()
    header = request.headers.get("x-twitter-webhooks-signature")
    if not signatures.x_signature_ok(raw, header, state.settings.x_consumer_secret):
        raise _refuse(state, "x")
    return await run_in_threadpool(_store, state, "x", raw)


@admin_router.get("/connections", summary="Connections, what needs attention and what to do")
def connections_overview(principal: PrincipalDep, session: SessionDep) -> dict[str, Any]:
    principal.require("admin")
    return status.overview(session, councils=list(principal.councils))


@admin_router.get("/outbox/dead", summary="Platform actions that failed after their retries")
def dead_letters(principal: PrincipalDep, session: SessionDep) -> list[dict[str, Any]]:
    principal.require("admin")
    return status.dead_letters(session, councils=list(principal.councils))


@admin_router.post("/outbox/{outbox_id}/retry", summary="Send a dead letter again")
def retry(outbox_id: RowId, principal: PrincipalDep, session: SessionDep) -> dict[str, int]:
    principal.require("admin")
    count = outbox.retry_dead(
        session, now=utcnow(), outbox_id=outbox_id, councils=list(principal.councils), actor=principal.actor
    )
    if not count:
        raise ApiError(404, "not_found", f"no dead letter {outbox_id} in your councils")
    return {"retried": count}
