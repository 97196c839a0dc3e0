"""Persistence: SQLAlchemy tables, Alembic migrations and storage functions."""
