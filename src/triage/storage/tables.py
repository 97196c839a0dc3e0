"""The database tables (DESIGN.md s4). Officer decisions and audit events are append-only."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every database: SQLite keeps no time zone, so store UTC and say so."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database: pass an aware one")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON, datetime: UTCDateTime()}


class CommentRow(Base):
    __tablename__ = "comments"
    __table_args__ = (
        UniqueConstraint("council", "platform", "external_id", name="uq_comment_external"),
        Index("ix_comments_author", "council", "platform", "author_handle", "received_at"),
        Index("ix_comments_text_key", "council", "text_key", "received_at"),
        # Where a near-copy of a new comment would be (repo.recent_texts): on its post or by its handle.
        Index("ix_comments_post", "council", "post_id", "received_at"),
        Index("ix_comments_handle", "council", "author_handle", "received_at"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    council: Mapped[str] = mapped_column(String(64))
    platform: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(200))
    author_handle: Mapped[str | None] = mapped_column(String(200))
    post_id: Mapped[str] = mapped_column(String(200), default="")
    post_topic: Mapped[str] = mapped_column(String(500), default="")
    text: Mapped[str | None] = mapped_column(Text)
    text_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime | None]
    received_at: Mapped[datetime]
    purged_at: Mapped[datetime | None]
    # What a removal in part leaves (PII replaced by its type), for the integration to publish.
    redacted_text: Mapped[str | None] = mapped_column(Text, default=None)
    redacted_at: Mapped[datetime | None] = mapped_column(default=None)
    # Where the integration says the comment is on the platform, and the text of the post it is on.
    permalink: Mapped[str | None] = mapped_column(String(1000), default=None)
    post_text: Mapped[str | None] = mapped_column(Text, default=None)


class ScoreRow(Base):
    __tablename__ = "scores"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id"), index=True)
    model_version: Mapped[str] = mapped_column(String(200))
    scores: Mapped[dict[str, Any]]
    pii_spans: Mapped[list[Any]]
    intent: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]


class DecisionRow(Base):
    __tablename__ = "decisions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id"), index=True)
    policy_version: Mapped[str] = mapped_column(String(100))
    model_version: Mapped[str | None] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(16))
    flags: Mapped[list[Any]]
    reasons: Mapped[list[Any]]
    needs_review: Mapped[bool] = mapped_column(Boolean)
    review_causes: Mapped[list[Any]]
    priority: Mapped[int] = mapped_column(Integer)
    respond_by: Mapped[datetime | None]
    created_at: Mapped[datetime]


class ReviewItemRow(Base):
    __tablename__ = "review_items"
    __table_args__ = (Index("ix_review_queue", "council", "status", "priority", "respond_by"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id"), index=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id"))
    council: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | decided
    queue: Mapped[str] = mapped_column(String(16), default="officer")  # officer | manager
    priority: Mapped[int] = mapped_column(Integer)
    uncertainty: Mapped[float] = mapped_column(Float, default=0.0)
    respond_by: Mapped[datetime | None]
    claimed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    claimed_until: Mapped[datetime | None]
    created_at: Mapped[datetime]


class OfficerDecisionRow(Base):
    __tablename__ = "officer_decisions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_item_id: Mapped[int] = mapped_column(ForeignKey("review_items.id"), index=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(16))
    labels: Mapped[dict[str, Any]]
    reason_code: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="")
    undoes_id: Mapped[int | None] = mapped_column(ForeignKey("officer_decisions.id"))
    created_at: Mapped[datetime]
    reply: Mapped[str | None] = mapped_column(Text, default=None)  # what the officer answered the resident


class AuthorRow(Base):
    __tablename__ = "authors"
    __table_args__ = (UniqueConstraint("council", "platform", "handle", name="uq_author"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    council: Mapped[str] = mapped_column(String(64))
    platform: Mapped[str] = mapped_column(String(32))
    handle: Mapped[str | None] = mapped_column(String(200))
    warnings: Mapped[int] = mapped_column(Integer, default=0)
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    blocked_at: Mapped[datetime | None]
    appeal_after: Mapped[datetime | None]


class AuditEventRow(Base):
    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(200))
    council: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(200))
    detail: Mapped[dict[str, Any]]


class SavedReplyRow(Base):
    """A reply a council's officers saved under a name, to pick beside the suggested one."""

    __tablename__ = "saved_replies"
    __table_args__ = (UniqueConstraint("council", "name", name="uq_saved_reply_name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    council: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(String(200))  # the audit actor ("user:3")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ApiKeyRow(Base):
    __tablename__ = "api_keys"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(128))
    councils: Mapped[list[Any]]
    scopes: Mapped[list[Any]]
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None] = mapped_column(default=None)  # None: until revoked


class UserRow(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    councils: Mapped[list[Any]]
    created_at: Mapped[datetime]
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)


class UserSessionRow(Base):
    """A signed-in person's session, held on the server: the cookie carries only a random token,
    stored here as its SHA-256. Ended by sign-out, disabling, a password change or a timeout."""

    __tablename__ = "user_sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    ended_why: Mapped[str | None] = mapped_column(String(32))


class ConnectionRow(Base):
    """A council's page or account on a platform. The token is never here: only where to read it."""

    __tablename__ = "platform_connections"
    __table_args__ = (UniqueConstraint("platform", "account_id", name="uq_connection_account"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    council: Mapped[str] = mapped_column(String(64), index=True)
    platform: Mapped[str] = mapped_column(String(32))
    account_id: Mapped[str] = mapped_column(String(200))
    token_env: Mapped[str | None] = mapped_column(String(200))
    token_file: Mapped[str | None] = mapped_column(String(500))
    mode: Mapped[str] = mapped_column(String(16), default="shadow")  # shadow | live
    status: Mapped[str] = mapped_column(String(32), default="active")  # active | token_invalid | permission_missing
    status_detail: Mapped[str] = mapped_column(Text, default="")
    paused_until: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class InboundEventRow(Base):
    """A webhook delivery exactly as it arrived, stored before it is acknowledged."""

    __tablename__ = "inbound_events"
    __table_args__ = (
        UniqueConstraint("platform", "body_hash", name="uq_inbound_body"),
        Index("ix_inbound_due", "status", "id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(32))  # meta | x
    body: Mapped[str] = mapped_column(Text)
    body_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | done | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_until: Mapped[datetime | None]
    error: Mapped[str] = mapped_column(String(500), default="")
    received_at: Mapped[datetime]
    processed_at: Mapped[datetime | None]


class PlatformCommentRow(Base):
    """A comment as an object on the platform: its id there, its latest stored revision, its state."""

    __tablename__ = "platform_comments"
    __table_args__ = (UniqueConstraint("platform", "object_id", name="uq_platform_object"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("platform_connections.id"), index=True)
    council: Mapped[str] = mapped_column(String(64))
    platform: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str] = mapped_column(String(200))
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id"), index=True)
    revisions: Mapped[int] = mapped_column(Integer, default=1)
    state: Mapped[str] = mapped_column(String(16), default="visible")  # visible | hidden | deleted
    deleted_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]


class OutboxRow(Base):
    """A platform action written in the decision's transaction and delivered by the worker."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("dedup_key", name="uq_outbox_dedup"),
        Index("ix_outbox_due", "status", "next_attempt_at"),
        Index("ix_outbox_object", "platform_comment_id", "id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("platform_connections.id"), index=True)
    platform_comment_id: Mapped[int] = mapped_column(ForeignKey("platform_comments.id"))
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id"))
    action: Mapped[str] = mapped_column(String(16))  # hide | unhide | delete | reply
    reply_text: Mapped[str | None] = mapped_column(Text)
    cause: Mapped[str] = mapped_column(String(64))  # automatic | officer:<id> | undo:<id> | reply:<key>
    dedup_key: Mapped[str] = mapped_column(String(200))
    # pending | in_flight | done | dead | shadow (would have been done) | cancelled
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    claimed_until: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]
