"""Value types shared by scoring, policy, storage and the service."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from triage.labels import LABELS


@dataclass(frozen=True)
class PiiSpan:
    """A piece of personal information found in a text, by character offsets [start, end)."""

    start: int
    end: int
    type: str
    source: str = "recogniser"

    def as_dict(self) -> dict[str, object]:
        return {"start": self.start, "end": self.end, "type": self.type}


@dataclass(frozen=True)
class ScoredText:
    """What a scorer says about one text: a probability per label, PII spans and an intent.
    `uncorroborated` names the labels whose score rests on evidence the transformer does not share
    (the n-gram head's words, or a recognised PII pattern): a person decides before any removal."""

    scores: dict[str, float]
    pii_spans: tuple[PiiSpan, ...] = ()
    intent: str = "none"
    uncorroborated: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        missing = set(LABELS) - set(self.scores)
        if missing:
            raise ValueError(f"scores lack labels: {sorted(missing)}")


@dataclass(frozen=True)
class Comment:
    """An incoming public comment as the rules see it."""

    text: str
    platform: str = "facebook"
    author_handle: str = ""
    post_topic: str = ""
    received_at: datetime | None = None


@dataclass(frozen=True)
class IncomingComment:
    """A comment as a platform integration posts it, for one council."""

    council: str
    platform: str
    external_id: str
    author_handle: str
    post_id: str
    post_topic: str
    text: str
    created_at: datetime | None
    permalink: str | None = None  # the comment on the platform, where the integration sends it
    post_text: str = ""  # the text of the post the comment is on, where the integration sends it


@dataclass(frozen=True)
class Context:
    """What the pure rules cannot look up themselves: time, the author's record, repeats."""

    now: datetime
    author_warnings: int = 0
    author_blocked: bool = False
    duplicate_count: int = 0
    post_topic: str = ""
    # What triage.language says of the text: the model reads English only (Welsh Language Standards).
    language: str = "en"
    language_readable: bool = True
    language_unsure: bool = False


@dataclass(frozen=True)
class Reason:
    """Why a rule fired: the label and score behind it and the policy clause it implements."""

    rule: str
    clause: str
    action: str
    label: str | None = None
    score: float | None = None
    threshold: float | None = None
    note: str = ""

    def as_dict(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "clause": self.clause,
            "action": self.action,
            "label": self.label,
            "score": self.score,
            "threshold": self.threshold,
            "note": self.note,
        }


@dataclass(frozen=True)
class Decision:
    """The rules layer's answer for one comment."""

    action: str
    flags: tuple[str, ...] = ()
    reasons: tuple[Reason, ...] = ()
    needs_review: bool = False
    review_causes: tuple[str, ...] = ()
    priority: int = 0
    respond_by: datetime | None = None
    intent: str = "none"
    policy_version: str = ""

    @property
    def review_cause(self) -> str | None:
        return self.review_causes[0] if self.review_causes else None
