"""Schemathesis against the OpenAPI schema: no 5xx, and every response matches its schema."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from serve.app import create_app
from tests.conftest import FakeScorer
from triage.config import Settings
from triage.storage.accounts import create_api_key


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory):
    db = tmp_path_factory.mktemp("schema") / "schema.db"
    app = create_app(Settings(database_url=f"sqlite:///{db}", environment="test"), scorer=FakeScorer())
    with TestClient(app) as test_client:
        with app.state.triage.sessions() as session:
            key = create_api_key(
                session,
                name="schema",
                councils=["swale"],
                scopes=["comments:write", "comments:read", "review:read", "metrics:read"],
                now=datetime.now(UTC),
            )
            session.commit()
        test_client.headers["Authorization"] = f"Bearer {key}"
        yield test_client


def test_api_conforms_to_its_schema(client: TestClient) -> None:
    # Driven through schemathesis' Python API (its pytest plugin does not load under pytest 9).
    schema = schemathesis.openapi.from_asgi("/openapi.json", client.app)
    checked = 0
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(operation.as_strategy())
        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case) -> None:  # type: ignore[no-untyped-def]
            case.call_and_validate(
                headers={"Authorization": client.headers["Authorization"]},
                checks=[schemathesis.checks.not_a_server_error, schemathesis.checks.response_schema_conformance],
            )

        check()
        checked += 1
    assert checked >= 8
