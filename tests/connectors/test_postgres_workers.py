"""Several workers over PostgreSQL drain one outbox (and one inbound backlog) at once: claims use
FOR UPDATE SKIP LOCKED, so no action reaches the platform twice."""

from __future__ import annotations

import os
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import FakeScorer
from tests.connectors.conftest import TOKENS, add_connection, profile_for
from triage.connectors import inbound
from triage.connectors.fake_platform import FakePlatform
from triage.connectors.intake import Intake
from triage.connectors.platforms import Answer, HttpPlatforms
from triage.connectors.sample_payloads import body, page_comment
from triage.connectors.worker import Worker
from triage.storage import outbox as outbox_store
from triage.storage.db import make_engine, migrate, session_factory
from triage.storage.tables import Base

URL = os.environ.get("TRIAGE_TEST_DATABASE_URL", "")
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not URL, reason="PostgreSQL only: set TRIAGE_TEST_DATABASE_URL"),
]
COMMENTS, WORKERS = 240, 4


@pytest.fixture
def sessions() -> Iterator[object]:
    engine = create_engine(URL)
    with engine.begin() as connection:
        Base.metadata.drop_all(connection)
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()
    migrate(URL)
    engine = make_engine(URL)
    yield session_factory(engine)
    engine.dispose()


def webhook(n: int) -> bytes:
    payload = page_comment(comment_id=f"111_{n}", text=f"You are an idiot number {n}")
    payload["entry"][0]["changes"][0]["value"]["from"] = {"id": f"author{n}", "name": "A Resident"}
    payload["entry"][0]["changes"][0]["value"]["post_id"] = f"111_post{n}"
    return body(payload)


def test_several_workers_share_the_outbox_without_sending_anything_twice(sessions) -> None:  # type: ignore[no-untyped-def]
    now = datetime.now(UTC)
    with sessions() as session:
        add_connection(session, now=now)
        for n in range(COMMENTS):
            inbound.receive(session, source="meta", body=webhook(n), now=now)
    delivered_by: dict[int, list[str]] = {}

    def note(outbox_id: int, answer: Answer) -> None:
        delivered_by.setdefault(outbox_id, []).append(threading.current_thread().name)

    def drain() -> None:
        intake = Intake(FakeScorer, profile_for, sessions)
        worker = Worker(sessions, platforms, intake, environ=dict(TOKENS), batch=5, after_answer=note)
        while worker.run_once():
            pass

    with FakePlatform() as fake:
        platforms = HttpPlatforms(fake.meta_url, fake.x_url)
        threads = [threading.Thread(target=drain, name=f"worker-{i}") for i in range(WORKERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
    hides = Counter(call.path for call in fake.writes("hide"))
    assert len(hides) == COMMENTS and set(hides.values()) == {1}  # every comment hidden, none twice
    assert all(len(by) == 1 for by in delivered_by.values()) and len(delivered_by) == COMMENTS
    assert len({by[0] for by in delivered_by.values()}) > 1  # the workers really did share the work
    with sessions() as session:
        assert {row.status for row in outbox_store.rows(session, limit=10_000)} == {"done"}
