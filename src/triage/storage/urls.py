"""Database URLs read for what they name, without opening a connection."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import make_url


def sqlite_file(database_url: str) -> Path | None:
    """The file a SQLite URL names, or None (another database, or SQLite in memory)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database)
    return None
