"""Engines and sessions: SQLite in WAL mode as the embedded default, PostgreSQL in production."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DataError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"

# Database errors under the names the layers above catch (they never import SQLAlchemy).
# A unique constraint refused a row: for ingest, a concurrent post of the same comment won the race.
StorageConflict = IntegrityError
# The database refused a value (NUL byte, out of range, too long): the caller's input is at fault.
InvalidValue = DataError
# The database is away, locked past the busy timeout, or the pool has no connection to lend.
DatabaseUnavailable: tuple[type[Exception], ...] = (OperationalError, InterfaceError, PoolTimeout)


def make_engine(url: str, *, busy_timeout_s: float = 5.0) -> Engine:
    """SQL parameters never appear in errors (`hide_parameters`): they hold comment text and
    handles, and errors reach logs."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": busy_timeout_s},
            pool_size=20,
            max_overflow=20,
            hide_parameters=True,
        )

        @event.listens_for(engine, "connect")
        def _pragmas(connection, _record) -> None:  # type: ignore[no-untyped-def]
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")  # with WAL: durable across a process kill
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_s * 1000)}")
            cursor.close()

        return engine
    return create_engine(
        url,
        pool_size=10,
        max_overflow=20,
        pool_pre_ping=True,
        hide_parameters=True,
        connect_args={"connect_timeout": max(1, int(busy_timeout_s))},
    )


def accepts_writes(engine: Engine, *, wait_s: float = 0.2) -> bool:
    """Whether a write could start now: on SQLite a reader succeeds while another process holds
    the write lock, so readiness must try to take it (and let it go at once)."""
    if engine.dialect.name != "sqlite":
        return True
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        configured = cursor.execute("PRAGMA busy_timeout").fetchone()[0]
        cursor.execute(f"PRAGMA busy_timeout={int(wait_s * 1000)}")
        try:
            cursor.execute("BEGIN IMMEDIATE")
            cursor.execute("ROLLBACK")
            return True
        except Exception:
            return False
        finally:
            cursor.execute(f"PRAGMA busy_timeout={int(configured)}")
    finally:
        connection.close()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def migrate(url: str) -> None:
    """Bring the database to the newest schema (creates it when new)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    command.upgrade(config, "head")


@dataclass
class Database:
    """An open database: its engine and the session factory the app and the CLI share."""

    engine: Engine
    sessions: sessionmaker[Session]

    @classmethod
    def open(cls, url: str, *, upgrade: bool = True, busy_timeout_s: float = 5.0) -> Database:
        if upgrade:
            migrate(url)
        engine = make_engine(url, busy_timeout_s=busy_timeout_s)
        return cls(engine, session_factory(engine))

    def ok(self) -> bool:
        """Whether the database answers a trivial query now."""
        try:
            with self.engine.connect() as connection:
                connection.execute(text("select 1"))
            return True
        except Exception:
            return False

    def close(self) -> None:
        self.engine.dispose()
