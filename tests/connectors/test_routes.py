"""The webhook routes: handshakes, refused and counted bad signatures, stored-then-200, admin view."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from serve.app import create_app
from tests.conftest import FakeScorer
from tests.connectors.conftest import add_connection
from triage.config import Settings
from triage.connectors import connections
from triage.connectors.sample_payloads import body, page_comment, x_reply
from triage.connectors.signatures import x_signature
from triage.storage import connections as store
from triage.storage.accounts import create_api_key

SECRET, VERIFY, X_SECRET = "meta-secret", "verify-me", "x-secret"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 't.db'}",
        environment="test",
        meta_app_secret=SECRET,
        meta_verify_token=VERIFY,
        x_consumer_secret=X_SECRET,
        connector_worker=False,
    )
    app = create_app(settings, scorer=FakeScorer())
    with TestClient(app) as test_client:
        yield test_client


def sign(raw: bytes) -> dict[str, str]:
    return {"X-Hub-Signature-256": "sha256=" + hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()}


def refused(client: TestClient) -> float:
    metrics = client.app.state.triage.metrics  # type: ignore[attr-defined]
    return sum(metrics.webhooks.labels(p, "refused")._value.get() for p in ("meta", "x"))


def test_meta_handshake_route(client: TestClient) -> None:
    ok = client.get(
        "/v1/platforms/meta/webhook",
        params={"hub.mode": "subscribe", "hub.verify_token": VERIFY, "hub.challenge": "8472"},
    )
    assert ok.status_code == 200 and ok.text == "8472"
    bad = client.get(
        "/v1/platforms/meta/webhook",
        params={"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "8472"},
    )
    assert bad.status_code == 403 and bad.json()["code"] == "handshake_refused"


def test_x_crc_route(client: TestClient) -> None:
    answer = client.get("/v1/platforms/x/webhook", params={"crc_token": "abc"})
    assert answer.status_code == 200 and answer.json() == {"response_token": x_signature(b"abc", X_SECRET)}


def test_unsigned_and_badly_signed_deliveries_are_refused_counted_and_not_stored(client: TestClient) -> None:
    raw = body(page_comment())
    other = body(page_comment(text="another body"))
    for headers in ({}, {"X-Hub-Signature-256": "sha256=" + "0" * 64}, sign(other)):
        response = client.post("/v1/platforms/meta/webhook", content=raw, headers=headers)
        assert response.status_code == 403 and response.json()["code"] == "bad_signature"
    assert client.post("/v1/platforms/x/webhook", content=body(x_reply())).status_code == 403
    assert refused(client) == 4
    with client.app.state.triage.sessions() as session:  # type: ignore[attr-defined]
        assert store.inbound_counts(session) == {}


def test_a_signed_delivery_is_stored_before_the_200_and_a_duplicate_once(client: TestClient) -> None:
    raw = body(page_comment())
    first = client.post("/v1/platforms/meta/webhook", content=raw, headers=sign(raw))
    again = client.post("/v1/platforms/meta/webhook", content=raw, headers=sign(raw))
    assert first.status_code == again.status_code == 200
    assert again.json() == {"received": True, "event_id": first.json()["event_id"], "duplicate": True}
    with client.app.state.triage.sessions() as session:  # type: ignore[attr-defined]
        assert store.inbound_counts(session) == {"pending": 1}
    signed_x = body(x_reply())
    response = client.post(
        "/v1/platforms/x/webhook",
        content=signed_x,
        headers={"x-twitter-webhooks-signature": x_signature(signed_x, X_SECRET)},
    )
    assert response.status_code == 200


def test_a_signed_but_unreadable_body_is_a_typed_400(client: TestClient) -> None:
    raw = b'{"object": "nonsense"}'
    response = client.post("/v1/platforms/meta/webhook", content=raw, headers=sign(raw))
    assert response.status_code == 400 and response.json()["code"] == "bad_payload"


def test_with_no_secret_configured_every_delivery_is_refused(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'n.db'}", environment="test", connector_worker=False)
    with TestClient(create_app(settings, scorer=FakeScorer())) as open_client:
        raw = body(page_comment())
        assert open_client.post("/v1/platforms/meta/webhook", content=raw, headers=sign(raw)).status_code == 403
        assert open_client.get("/v1/platforms/x/webhook", params={"crc_token": "a"}).status_code == 403


def test_admin_sees_a_stopped_connection_with_what_to_do(client: TestClient) -> None:
    now = datetime.now(UTC)
    with client.app.state.triage.sessions() as session:  # type: ignore[attr-defined]
        view = add_connection(session, now=now, mode="shadow")
        row = store.connection_by_id(session, connection_id=view.id)
        connections.stop(session, row=row, status="token_invalid", detail="HTTP 400, error 190/463", now=now)
        admin_key = create_api_key(session, name="admin", councils=["swale"], scopes=["admin"], now=now)
        officer_key = create_api_key(session, name="ro", councils=["swale"], scopes=["comments:read"], now=now)
        session.commit()
    denied = client.get("/v1/admin/connections", headers={"Authorization": f"Bearer {officer_key}"})
    assert denied.status_code == 403
    seen = client.get("/v1/admin/connections", headers={"Authorization": f"Bearer {admin_key}"}).json()
    assert seen["needs_attention"] == 1
    [connection] = seen["connections"]
    assert connection["status"] == "token_invalid" and "triage connection resume" in connection["what_to_do"]
    assert connection["token_source"] == "env:FB_TOKEN"
    assert client.get("/v1/admin/connections").status_code == 401
