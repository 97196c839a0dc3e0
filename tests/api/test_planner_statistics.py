"""PostgreSQL's statistics of the ingest tables are kept current by the service: a page whose
history arrived at once (or a database whose autovacuum is off) is searched by index, not read
whole with every batch."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert
from sqlalchemy.engine import Engine

from tests.api.test_group_commit import profiles, sessions
from tests.api.test_ingest_queries import batch_of, statements
from triage import service
from triage.service.planner_statistics import StatisticsKeeper
from triage.storage import statistics
from triage.storage.tables import CommentRow

HISTORY = 3000


def _history() -> list[dict[str, object]]:
    received = datetime.now(UTC) - timedelta(hours=2)  # inside the near-copy window
    return [
        {
            "council": "swale",
            "platform": "facebook",
            "external_id": f"old{n}",
            "author_handle": f"someone{n % 900}",
            "post_id": f"post{n % 300}",
            "post_topic": "",
            "text": f"an older comment {n}",
            "text_key": f"k{n}",
            "received_at": received,
        }
        for n in range(HISTORY)
    ]


def _rows_read_and_dropped(database_url: str) -> list[tuple[str, int]]:
    """(look-up, rows read and then dropped by a filter) for each look-up of an ingest batch."""
    make = sessions(database_url)
    with make() as session:
        engine = session.get_bind()
        assert isinstance(engine, Engine)
        with statements(engine) as seen:
            service.record_many(session, batch_of(8), profiles, now=datetime.now(UTC))
        session.rollback()
        dropped = []
        cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
        for statement, parameters in seen:
            if statement.lstrip().upper().startswith("SELECT"):
                cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {statement}", parameters)
                plan = cursor.fetchone()[0]
                plan = json.loads(plan) if isinstance(plan, str) else plan
                dropped.append((statement[:60], _dropped(plan[0]["Plan"])))
        return dropped


def _dropped(node: dict[str, object]) -> int:
    own = int(node.get("Rows Removed by Filter", 0))  # type: ignore[call-overload]
    return own + sum(_dropped(child) for child in node.get("Plans", []))  # type: ignore[attr-defined]


def test_the_ingest_tables_are_analysed_once_enough_comments_are_recorded(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only: SQLite's planner keeps no statistics here")
    make = sessions(database_url)
    with make() as session:
        session.execute(insert(CommentRow.__table__), _history())
        session.commit()
        assert "comments" in statistics.stale_tables(session)  # never analysed
    keeper = StatisticsKeeper(make, every=10)
    keeper.recorded(9)
    assert keeper.thread is None  # not yet
    keeper.recorded(1)
    assert keeper.thread is not None
    keeper.thread.join(timeout=60)
    with make() as session:
        assert statistics.stale_tables(session) == []
    # The batch's look-ups now search the index past the council: no read of its whole history.
    assert all(dropped < HISTORY // 10 for _, dropped in _rows_read_and_dropped(database_url))


def test_the_service_counts_what_it_records_towards_the_next_check(database_url: str) -> None:
    triage = service.Triage(None, profiles, sessions(database_url))
    triage.statistics.every = 8
    triage.record([p.incoming for p in batch_of(8)], [service.ScoreOutcome.failed("model not loaded")] * 8)
    assert triage.statistics.thread is not None  # eight stored: a check started
    triage.statistics.thread.join(timeout=60)
    with sessions(database_url)() as session:
        assert statistics.stale_tables(session) == []  # on PostgreSQL analysed; on SQLite none to analyse


def test_only_the_ingest_tables_can_be_analysed(database_url: str) -> None:
    with sessions(database_url)() as session:
        if statistics.is_postgresql(session):
            with pytest.raises(ValueError, match="not an ingest table"):
                statistics.analyse(session, ["comments; DROP TABLE users"])
