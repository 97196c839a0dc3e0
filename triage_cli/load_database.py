"""The load test's database: a key for the load, a past for its council (older comments already
stored, as on a real council's page, so that a look-up whose cost grows with what is stored rather
than with the batch shows under load), and what was stored in the end."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import typer
from sqlalchemy.orm import Session

CHUNK = 10_000
# Posting, and reading the server's batch metrics after the load.
LOAD_SCOPES = ["comments:write", "metrics:read"]


def prepare(database_url: str, run: str, history: int = 0, council: str = "swale") -> str:
    """Bring the database to the newest schema, give the load a key for `council` and, with
    `history`, a past: opened once. Returns the key."""
    from triage.storage.accounts import create_api_key
    from triage.storage.db import Database

    database = Database.open(database_url)
    with database.sessions() as session:
        key = create_api_key(session, name="loadtest", councils=[council], scopes=LOAD_SCOPES, now=_now())
        session.commit()
        if history:
            add_history(session, history, run, council)
    database.close()
    return key


def add_history(session: Session, count: int, run: str, council: str, days_ago: int = 30) -> None:
    """`count` comments received `days_ago` days ago on 2,000 posts by 5,000 authors, none of
    them the load's own posts or authors: outside the near-copy window, but in the table."""
    from triage.storage import repo, table_statistics

    received = _now() - timedelta(days=days_ago)
    with typer.progressbar(range(0, count, CHUNK), label="older comments") as chunks:
        for start in chunks:
            rows = [_older(n, run, council, received) for n in range(start, min(start + CHUNK, count))]
            repo.insert_comments(session, rows)
    session.commit()
    table_statistics.analyse(session)  # a page that grew over a month has been counted
    session.commit()


def _now() -> datetime:
    return datetime.now(UTC)


def _older(n: int, run: str, council: str, received: datetime) -> dict[str, object]:
    return {
        "council": council,
        "platform": "facebook",
        "external_id": f"past-{run}-{n}",  # a database can be loaded again; never "{run}-..."
        "author_handle": f"past-author-{n % 5000}",
        "post_id": f"past-post-{n % 2000}",
        "post_topic": "",
        "text": f"An older comment on the page, number {n}",
        "text_key": f"past-{run}-{n}",
        "received_at": received,
    }


def stored_copies(database_url: str, run: str) -> dict[str, int]:
    from triage.storage import repo
    from triage.storage.db import Database

    database = Database.open(database_url, upgrade=False)
    with database.sessions() as session:
        counts = repo.copies_by_external_id(session, prefix=f"{run}-")
    database.close()
    return counts
