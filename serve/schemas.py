"""Request and response schemas: `...Create` in, `...Public` out."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from triage.labels import LABELS, REASON_CODES

MAX_TEXT = 5000  # fixed in the schema so that OpenAPI documents it


class CommentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    platform: str = Field(min_length=1, max_length=32, examples=["facebook"])
    external_id: str = Field(min_length=1, max_length=200)
    author_handle: str = Field(min_length=1, max_length=200)
    post_id: str = Field(default="", max_length=200)
    post_topic: str = Field(default="", max_length=500)
    text: str = Field(min_length=1, max_length=MAX_TEXT)
    created_at: datetime | None = None
    council: str | None = Field(default=None, max_length=64, description="needed when the key serves several councils")


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
    reason_code: str = Field(min_length=1, max_length=64, description=f"e.g. {', '.join(REASON_CODES)}")
    note: str = Field(default="", max_length=2000)
    bulk: Literal["one", "duplicates", "author"] = Field(
        default="one", description="also decide the open items with the same text, or from the same author"
    )
    author_action: Literal["none", "warn", "block"] = Field(default="none", description="block: managers only")
    redact: bool = Field(default=False, description="remove in part: personal information replaced by its type")


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
