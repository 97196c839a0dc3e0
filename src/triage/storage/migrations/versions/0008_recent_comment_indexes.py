"""Indexes for the near-copy look-up: a council's recent comments on a post, or by a handle

Without them each ingest batch read every comment the council had (repo.recent_texts), a cost
that grew with the database, not with the batch.

Revision ID: 0008
Revises: 0007
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Built without holding ingest's writes on a large PostgreSQL table (SQLite ignores it).
    with op.get_context().autocommit_block():
        op.create_index(
            "ix_comments_post", "comments", ["council", "post_id", "received_at"], postgresql_concurrently=True
        )
        op.create_index(
            "ix_comments_handle", "comments", ["council", "author_handle", "received_at"], postgresql_concurrently=True
        )


def downgrade() -> None:
    op.drop_index("ix_comments_handle", table_name="comments")
    op.drop_index("ix_comments_post", table_name="comments")
