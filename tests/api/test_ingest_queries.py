"""What an ingest batch asks of the database: a few statements whatever the batch's size, ids that
belong to the right rows, and look-ups that use an index rather than reading every comment the
council ever had (the cost must follow the batch, not the database)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tests.api.test_group_commit import pending, profiles, sessions
from triage import service
from triage.storage import repo
from triage.storage.ingest import StoredResult
from triage.storage.tables import CommentRow, DecisionRow, ScoreRow


@contextmanager
def statements(engine: Engine) -> Iterator[list[tuple[str, object]]]:
    """Every statement sent to the driver while the block runs, with its parameters."""
    seen: list[tuple[str, object]] = []

    def note(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


def batch_of(size: int, council: str = "swale") -> list[service.Pending]:
    texts = ("When is the tip open?", "you idiot", "Lovely photo of the seafront", "Vote Reform on Thursday!")
    return [
        pending(f"{texts[n % len(texts)]} #{n}", f"q{n}", council=council, author=f"resident{n % 5}")
        for n in range(size)
    ]


def test_a_batch_is_stored_in_a_few_statements_whatever_its_size(database_url: str) -> None:
    """One INSERT per table for the batch: not one per row (SQLite's ordered RETURNING, and the
    ORM splitting the batch wherever a column is None in one row and set in the next)."""
    make = sessions(database_url)
    with make() as session:
        engine = session.get_bind()
        assert isinstance(engine, Engine)
        with statements(engine) as seen:
            outcomes = service.record_many(session, batch_of(32), profiles, now=datetime.now(UTC))
    assert all(isinstance(o, StoredResult) for o in outcomes)
    inserts = [s for s, _ in seen if s.lstrip().upper().startswith("INSERT")]
    updates = [s for s, _ in seen if s.lstrip().upper().startswith("UPDATE")]
    tables = [re.split(r"\s+", s.strip())[2] for s in inserts]
    # comments, decisions, scores, review items, and the warned authors (first time) and their
    # audit events: one INSERT each, and one UPDATE of the warned authors' counts
    assert sorted(tables) == sorted(set(tables)), inserts
    assert {"comments", "decisions", "scores", "authors", "audit_events"} <= set(tables)
    assert len(updates) <= 1, updates


def test_each_result_names_its_own_rows(database_url: str) -> None:
    """Ids are matched to rows by key: each result's comment, decision and scores are its own."""
    batch = batch_of(40)
    with sessions(database_url)() as session:
        outcomes = service.record_many(session, batch, profiles, now=datetime.now(UTC))
        for item, outcome in zip(batch, outcomes, strict=True):
            assert isinstance(outcome, StoredResult)
            assert session.get(CommentRow, outcome.id).external_id == item.incoming.external_id  # type: ignore[union-attr]
            decision = session.scalars(select(DecisionRow).where(DecisionRow.comment_id == outcome.id)).one()
            assert (decision.action, decision.reasons) == (outcome.action, outcome.reasons)
            score = session.scalars(select(ScoreRow).where(ScoreRow.comment_id == outcome.id)).one()
            assert item.scored is not None and score.scores == pytest.approx(item.scored.scores)


class ReversedReturning:
    """A session whose RETURNING rows come back in reverse order (no database promises order)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def execute(self, *args: Any, **kwargs: Any) -> list[Any]:
        return list(reversed(list(self.session.execute(*args, **kwargs))))


def test_ids_are_matched_to_rows_whatever_order_they_come_back_in(database_url: str) -> None:
    rows = [
        {
            "council": "swale",
            "platform": "x",
            "external_id": f"r{n}",
            "author_handle": "a",
            "post_id": "p",
            "text": "t",
            "text_key": f"k{n}",
            "received_at": datetime.now(UTC),
        }
        for n in range(5)
    ]
    with sessions(database_url)() as session:
        key = ("council", "platform", "external_id")
        ids = repo.insert_values(ReversedReturning(session), CommentRow, rows, key=key)  # type: ignore[arg-type]
        assert [session.get(CommentRow, i).external_id for i in ids] == [r["external_id"] for r in rows]  # type: ignore[union-attr]


def test_an_author_held_in_the_session_sees_the_warnings_written(database_url: str) -> None:
    """Counts written in one statement reach the author rows the session already holds, so a
    third offence in the same session is judged on two warnings, as it was by the ORM."""
    now = datetime.now(UTC)
    with sessions(database_url)() as session:
        first = service.record_many(session, [pending("you idiot 1", "s1", council="swale")], profiles, now=now)
        held = repo.author(session, council="swale", platform="facebook", handle="resident1")
        later = [
            service.record_many(session, [pending(f"you idiot {n}", f"s{n}", council="swale")], profiles, now=now)
            for n in (2, 3)
        ]
        flags = [o.flags for [o] in (first, *later) if isinstance(o, StoredResult)]
        assert held is not None and held.warnings == 2
        assert "warn_author" in flags[0] and "warn_author" in flags[1] and "block_author" in flags[2], flags


_COUNCIL_ONLY = re.compile(r"USING (COVERING )?INDEX \w+ \(council=\?\)$")


def test_look_ups_do_not_read_the_councils_whole_history(database_url: str) -> None:
    """A council with many older comments: every look-up of an ingest batch (retries, authors,
    near-copies) searches an index past the council, never the whole table or council."""
    if not database_url.startswith("sqlite"):
        pytest.skip("reads SQLite's query plans")
    old = datetime.now(UTC) - timedelta(days=40)
    history = [
        {
            "council": "swale",
            "platform": "facebook",
            "external_id": f"old{n}",
            "author_handle": f"someone{n}",
            "post_id": f"post{n % 30}",
            "post_topic": "",
            "text": f"an older comment {n}",
            "text_key": f"k{n}",
            "received_at": old,
        }
        for n in range(300)
    ]
    with sessions(database_url)() as session:
        session.execute(insert(CommentRow.__table__), history)
        session.commit()
        engine = session.get_bind()
        assert isinstance(engine, Engine)
        with statements(engine) as seen:
            service.record_many(session, batch_of(8), profiles, now=datetime.now(UTC))
        selects = [(s, p) for s, p in seen if s.lstrip().upper().startswith("SELECT")]
        assert selects
        for statement, parameters in selects:
            plan = [
                row[3] for row in session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            ]  # type: ignore[arg-type]
            for step in plan:
                assert not step.startswith("SCAN comments") and not step.startswith("SCAN authors"), (statement, plan)
                assert not _COUNCIL_ONLY.search(step), (statement, plan)
