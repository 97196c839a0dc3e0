"""comments keep the text an officer's redaction (removal in part) leaves, for the integration

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

import triage.storage.tables

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("comments") as batch:
        batch.add_column(sa.Column("redacted_text", sa.Text(), nullable=True))
        batch.add_column(sa.Column("redacted_at", triage.storage.tables.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("comments") as batch:
        batch.drop_column("redacted_at")
        batch.drop_column("redacted_text")
