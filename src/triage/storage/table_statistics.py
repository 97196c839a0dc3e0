"""PostgreSQL's planner statistics for the tables every ingest batch reads. Until a table has been
analysed the planner guesses its rows, and for the batch's look-ups (retries by external id, the
authors, the near-copies) it then reads every comment and author the council has instead of
searching the index past the council: 11.7 ms a batch against 0.1 to 4 ms at 8,000 comments
(docs/BENCHMARKS.md, session 11). Autovacuum analyses a table after 50 changed rows and a tenth
of the table, but only every minute, and not at all where it is turned off: a new install under
load, or a page's history loaded at once, would meanwhile read its whole history each batch."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import String, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

# The tables whose statistics steer the ingest look-ups' plans.
INGEST_TABLES = ("comments", "authors")
# Autovacuum's own defaults (autovacuum_analyze_threshold and autovacuum_analyze_scale_factor).
CHANGED_ROWS = 50
CHANGED_SHARE = 0.1


def is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def stale_tables(session: Session) -> list[str]:
    """The ingest tables never analysed, or with more rows changed since than autovacuum allows;
    none on SQLite, whose planner keeps no statistics here. (The changed rows are counted by
    PostgreSQL's statistics system, which can lag a second or more behind the commits.)"""
    if not is_postgresql(session):
        return []
    # Tables named as ANALYZE names them (the search path), not by one schema's name.
    query = text(
        "SELECT c.relname, s.n_mod_since_analyze, c.reltuples "
        "FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid "
        "WHERE s.relid IN (SELECT to_regclass(name) FROM unnest(:tables) AS name)"
    ).bindparams(bindparam("tables", type_=ARRAY(String)))
    rows = session.execute(query, {"tables": list(INGEST_TABLES)})
    return [str(name) for name, changed, known in rows if known < 0 or changed > CHANGED_ROWS + CHANGED_SHARE * known]


def analyse(session: Session, tables: Sequence[str] = INGEST_TABLES) -> None:
    """Have PostgreSQL count these ingest tables again (it reads a sample: milliseconds); after a
    bulk load, all of them (its changed rows may not be counted yet)."""
    unknown = [table for table in tables if table not in INGEST_TABLES]
    if unknown:  # names go into the statement: only these, never a caller's
        raise ValueError(f"not an ingest table: {unknown[0]}")
    if is_postgresql(session):
        for table in tables:
            session.execute(text(f"ANALYZE {table}"))


def refresh(session: Session) -> list[str]:
    """Analyse the ingest tables that need it; returns their names."""
    tables = stale_tables(session)
    analyse(session, tables)
    return tables
