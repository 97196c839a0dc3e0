"""Request and response schemas: `...Create` in, `...Public` out. Input is checked here, before
anything is stored, so that bad input answers a typed 422 and a batch is refused whole."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from triage.labels import LABELS, PLATFORMS, REASON_CODES

MAX_TEXT = 5000  # fixed in the schema so that OpenAPI documents it
EARLIEST, LATEST = datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)
# Letters that render as nothing (Hangul fillers, braille blank): "visible" text needs more.
BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


def _visible(value: str) -> str:
    """Something a person can read: not only spaces, zero-width or other invisible characters."""
    if not any(
        not ch.isspace() and unicodedata.category(ch)[0] not in "CZ" and ch not in BLANK_LETTERS for ch in value
    ):
        raise ValueError("must contain visible characters (not only spaces or zero-width characters)")
    return value


def _platform(value: str) -> str:
    if value not in PLATFORMS:
        raise ValueError(f"unknown platform; use one of {', '.join(PLATFORMS)}")
    return value


def _in_range(value: datetime) -> datetime:
    try:
        moment = value.astimezone(UTC)
    except OverflowError:
        raise ValueError("is out of range") from None
    if not EARLIEST <= moment < LATEST:
        raise ValueError(f"must be between {EARLIEST.date()} and {LATEST.date()}")
    return moment


Plain = Annotated[str, AfterValidator(_no_nul)]
Visible = Annotated[str, AfterValidator(_no_nul), AfterValidator(_visible)]
Platform = Annotated[str, AfterValidator(_platform)]
Moment = Annotated[AwareDatetime, AfterValidator(_in_range)]


class CommentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    platform: Platform = Field(min_length=1, max_length=32, examples=["facebook"])
    external_id: Visible = Field(min_length=1, max_length=200)
    author_handle: Visible = Field(min_length=1, max_length=200)
    post_id: Plain = Field(default="", max_length=200)
    post_topic: Plain = Field(default="", max_length=500)
    text: Visible = Field(min_length=1, max_length=MAX_TEXT)
    created_at: Moment | None = Field(default=None, description="with a time zone, e.g. 2026-01-01T10:00:00Z")
    permalink: Plain | None = Field(
        default=None, max_length=1000, pattern=r"^https://\S+$", description="the comment on the platform (https)"
    )
    post_text: Plain = Field(default="", max_length=MAX_TEXT, description="the text of the post it is on")
    council: Plain | None = Field(
        default=None, max_length=64, description="needed when the key serves several councils"
    )


class BatchCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    comments: list[CommentCreate] = Field(min_length=1, max_length=100)


class ReasonPublic(BaseModel):
    rule: str
    clause: str
    action: str
    label: str | None = None
    score: float | None = None
    threshold: float | None = None
    note: str = ""


class PiiSpanPublic(BaseModel):
    start: int
    end: int
    type: str


class CommentPublic(BaseModel):
    id: int
    council: str
    created: bool = Field(description="false when this post was already stored (an idempotent retry)")
    scores: dict[str, float] | None = Field(
        description="calibrated probability per label; null when the model could not score"
    )
    labels_flagged: list[str] = Field(description="labels at or above the model's decision threshold")
    flags: list[str] = Field(description="what the policy asks for: report_to_police, warn_author, redact, ...")
    pii_spans: list[PiiSpanPublic]
    intent: str | None
    action: Literal["allow", "respond", "refer", "remove"]
    reasons: list[ReasonPublic]
    needs_review: bool
    review_causes: list[str]
    priority: int
    respond_by: datetime | None
    model_version: str | None
    policy_version: str


class BatchPublic(BaseModel):
    results: list[CommentPublic]


class DecisionPublic(BaseModel):
    kind: Literal["model", "officer"]
    at: datetime
    action: str
    detail: dict[str, Any]


class CommentHistoryPublic(BaseModel):
    id: int
    council: str
    platform: str
    post_id: str
    text: str | None
    redacted_text: str | None = Field(description="the text to publish after an officer's redaction (removal in part)")
    received_at: datetime
    decisions: list[DecisionPublic]


class AuthorPublic(BaseModel):
    council: str
    platform: str
    handle: str
    warnings: int
    blocked: bool
    appeal_after: datetime | None
    comments: list[dict[str, Any]]


class ReviewItemPublic(BaseModel):
    id: int
    comment_id: int
    council: str
    queue: str
    priority: int
    respond_by: datetime | None
    uncertainty: float
    proposed_action: str
    review_causes: list[str]
    text: str | None
    platform: str


class OfficerDecisionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["allow", "respond", "refer", "remove"]
    labels: dict[str, Literal[0, 1]] = Field(default_factory=dict, description=f"labels: {', '.join(LABELS)}")
    reason_code: Visible = Field(min_length=1, max_length=64, description=f"e.g. {', '.join(REASON_CODES)}")
    note: Plain = Field(default="", max_length=2000)
    bulk: Literal["one", "duplicates", "author"] = Field(
        default="one", description="also decide the open items with the same text, or from the same author"
    )
    author_action: Literal["none", "warn", "block"] = Field(default="none", description="block: managers only")
    redact: bool = Field(default=False, description="remove in part: personal information replaced by its type")
    reply: Plain = Field(default="", max_length=2000, description="the answer to the resident, stored with it")


class OfficerDecisionPublic(BaseModel):
    id: int = Field(description="the officer decision on this item")
    review_item_id: int
    decision_ids: list[int] = Field(description="every decision recorded: this item's first, then bulk ones")
    action: str
    labels: dict[str, int]
    reason_code: str
    created_at: datetime
    redacted_text: str | None = Field(description="what redaction left of this item's comment, when redacted")


class HealthPublic(BaseModel):
    status: str
    database: bool | None = None
    model: str | None = None
