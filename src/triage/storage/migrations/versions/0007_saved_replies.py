"""Saved replies per council

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

import triage.storage.tables

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "saved_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("council", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", triage.storage.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", triage.storage.tables.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("council", "name", name="uq_saved_reply_name"),
    )


def downgrade() -> None:
    op.drop_table("saved_replies")
