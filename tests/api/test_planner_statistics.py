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
from triage.storage import table_statistics
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
        assert "comments" in table_statistics.stale_tables(session)  # never analysed
    keeper = StatisticsKeeper(make, every=10)
    keeper.recorded(1)  # the first comments recorded start a check
    assert keeper.thread is not None
    keeper.thread.join(timeout=60)
    with make() as session:
        assert table_statistics.stale_tables(session) == []
    # The batch's look-ups now search the index past the council: no read of its whole history.
    assert all(dropped < HISTORY // 10 for _, dropped in _rows_read_and_dropped(database_url))


def test_the_service_counts_what_it_records_towards_the_next_check(database_url: str) -> None:
    triage = service.Triage(None, profiles, sessions(database_url))
    triage.statistics = StatisticsKeeper(triage.sessions, every=8)
    outcomes = [service.ScoreOutcome.failed("model not loaded")] * 4
    triage.record([p.incoming for p in batch_of(4)], outcomes)
    first = triage.statistics.thread
    assert first is not None  # the first comments recorded: a check at once
    first.join(timeout=60)
    triage.record([p.incoming for p in batch_of(4)], outcomes)  # the same comments: retries, nothing new
    assert triage.statistics.thread is first
    triage.record([p.incoming for p in batch_of(12)[4:]], [service.ScoreOutcome.failed("model not loaded")] * 8)
    if database_url.startswith("postgresql"):
        assert triage.statistics.thread is not first  # eight more stored: the next check
    else:
        assert triage.statistics.thread is first  # SQLite: nothing to keep, no more checks
    triage.statistics.close()
    with sessions(database_url)() as session:
        assert table_statistics.stale_tables(session) == []  # on PostgreSQL analysed; on SQLite none to analyse


def test_a_closed_keeper_checks_no_more(database_url: str) -> None:
    keeper = StatisticsKeeper(sessions(database_url), every=1)
    keeper.close()
    keeper.recorded(5)
    assert keeper.thread is None


def test_no_thread_to_be_had_stores_the_comments_all_the_same(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_threads(self: object) -> None:
        raise RuntimeError("can't start new thread")

    triage = service.Triage(None, profiles, sessions(database_url))
    triage.statistics = keeper = StatisticsKeeper(triage.sessions, every=1)
    monkeypatch.setattr("threading.Thread.start", no_threads)
    results = triage.record([p.incoming for p in batch_of(2)], [service.ScoreOutcome.failed("model not loaded")] * 2)
    monkeypatch.undo()
    assert all(not isinstance(r, Exception) and r.created for r in results)
    failed = keeper.thread
    triage.record([p.incoming for p in batch_of(3)[2:]], [service.ScoreOutcome.failed("model not loaded")])
    assert keeper.thread is not failed and keeper.thread is not None  # the next count checks again
    assert keeper.thread.ident is not None  # started: the failed start let go of its turn
    keeper.close()


def test_only_the_ingest_tables_can_be_analysed(database_url: str) -> None:
    with sessions(database_url)() as session, pytest.raises(ValueError, match="not an ingest table"):
        table_statistics.analyse(session, ["comments; DROP TABLE users"])
