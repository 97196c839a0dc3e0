"""Officers' replies stored with their decisions; the comment's link and its post's text

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("officer_decisions") as batch:
        batch.add_column(sa.Column("reply", sa.Text(), nullable=True))
    with op.batch_alter_table("comments") as batch:
        batch.add_column(sa.Column("permalink", sa.String(1000), nullable=True))
        batch.add_column(sa.Column("post_text", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("comments") as batch:
        batch.drop_column("post_text")
        batch.drop_column("permalink")
    with op.batch_alter_table("officer_decisions") as batch:
        batch.drop_column("reply")
