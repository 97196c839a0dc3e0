"""Alembic environment: the URL comes from the caller (triage.storage.db.migrate)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from triage.storage.tables import Base

url = context.config.get_main_option("sqlalchemy.url") or ""
engine = create_engine(url)
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=url.startswith("sqlite"))
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
