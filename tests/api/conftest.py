"""API fixtures: the app on SQLite (and PostgreSQL when TRIAGE_TEST_DATABASE_URL is set) with the
fake scorer, keys for two councils, and people of every role."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from serve.app import create_app
from tests.conftest import FakeScorer
from triage.config import Settings
from triage.storage.accounts import create_api_key, create_user
from triage.storage.tables import Base

DATABASES = ["sqlite"] + (["postgres"] if os.environ.get("TRIAGE_TEST_DATABASE_URL") else [])
PASSWORD = "correct horse battery"


def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        Base.metadata.drop_all(connection)
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()


@dataclass
class Api:
    client: TestClient
    keys: dict[str, str]
    scorer: FakeScorer

    def headers(self, key: str = "swale") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[key]}"}

    def post(self, text: str, external_id: str, key: str = "swale", **extra: object):
        body = {
            "platform": "facebook",
            "external_id": external_id,
            "author_handle": "resident1",
            "post_id": "p1",
            "text": text,
        } | extra
        return self.client.post("/v1/comments", json=body, headers=self.headers(key))

    def sign_in(self, username: str) -> TestClient:
        response = self.client.post("/v1/session", json={"username": username, "password": PASSWORD})
        assert response.status_code == 200, response.text
        return self.client


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'triage.db'}"
    url = os.environ["TRIAGE_TEST_DATABASE_URL"]
    _reset_postgres(url)
    return url


def make_api(database_url: str, scorer: FakeScorer, **settings: object) -> Iterator[Api]:
    config = Settings(database_url=database_url, environment="test", **settings)  # type: ignore[arg-type]
    app = create_app(config, scorer=scorer)
    with TestClient(app) as client:
        now = datetime.now(UTC)
        with app.state.triage.sessions() as session:
            keys = {
                "swale": create_api_key(
                    session, name="swale-fb", councils=["swale"], scopes=["comments:write", "comments:read"], now=now
                ),
                "ashfield": create_api_key(
                    session,
                    name="ashfield-fb",
                    councils=["ashfield"],
                    scopes=["comments:write", "comments:read"],
                    now=now,
                ),
                "both": create_api_key(
                    session, name="shared", councils=["swale", "ashfield"], scopes=["comments:write"], now=now
                ),
                "readonly": create_api_key(session, name="ro", councils=["swale"], scopes=["comments:read"], now=now),
            }
            for username, role, councils in (
                ("olive", "officer", ["swale"]),
                ("mona", "manager", ["swale"]),
                ("dave", "data_scientist", ["swale"]),
                ("ash", "officer", ["ashfield"]),
            ):
                create_user(session, username=username, password=PASSWORD, role=role, councils=councils, now=now)
            session.commit()
        yield Api(client, keys, scorer)


@pytest.fixture
def api(database_url: str) -> Iterator[Api]:
    yield from make_api(database_url, FakeScorer())
