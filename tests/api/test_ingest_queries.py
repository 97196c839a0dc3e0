"""What an ingest batch asks of the database: a few statements whatever the batch's size, ids that
belong to the right rows, and look-ups that use an index rather than reading every comment the
council ever had (the cost must follow the batch, not the database)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, insert, select
from sqlalchemy.engine import Engine

from tests.api.test_group_commit import pending, profiles, sessions
from triage import service
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
    by_table = {re.split(r"\s+", s.strip())[2] for s in inserts}
    # comments, decisions, scores, review items; the first warning of each author adds its author
    # row and an audit event (at most 5 authors here)
    assert len([s for s in inserts if " INTO comments" in s or " INTO decisions" in s]) == 2, inserts
    assert len(inserts) <= 4 + 2 * 5, inserts
    assert {"comments", "decisions", "scores"} <= by_table


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
