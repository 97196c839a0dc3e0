"""Queue rows as officers read them: masked text, a working-time countdown, who holds the item."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from triage.labels import RESPOND_INTENTS, REVIEW_CAUSE_WORDS
from triage.policy import Profile
from triage.policy.engine import local_time
from triage.policy.hours import working_minutes_between
from triage.storage import accounts, repo, reviews
from triage.storage.reviews import ReviewItem, StoredComment
from triage.text import split_at_spans

Rows = list[tuple[ReviewItem, StoredComment, Any]]


@dataclass(frozen=True)
class QueueRow:
    item: ReviewItem
    comment: StoredComment
    decision: Any
    intent: str
    text: str  # personal information masked
    why: str
    due: str  # "due in 1 h 20 min of office time", "overdue", "" when none
    overdue: bool
    held_by: str  # "held by sam until 14:20", "" when free


def masked(text: str, spans: list[dict[str, Any]]) -> str:
    """The text with each personal-information span replaced by its type, for list views."""
    pieces = split_at_spans(text, spans)
    return "".join(piece if kind is None else f"[{kind.replace('_', ' ')}]" for piece, kind in pieces)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _duration(minutes: float) -> str:
    hours, mins = divmod(int(minutes), 60)
    return f"{hours} h {mins} min" if hours else f"{mins} min"


def countdown(profile: Profile, due: datetime | None, now: datetime) -> tuple[str, bool]:
    """Time left in the profile's office hours ("due in 1 h 20 min of office time"), clock time when
    the deadline is near or out of hours (safeguarding), or "overdue"."""
    if due is None:
        return "", False
    due = _aware(due)
    if due <= now:
        return "overdue", True
    clock = (due - now).total_seconds() / 60
    office = working_minutes_between(profile, local_time(now), local_time(due))
    if clock < 60 or office <= 0:
        return f"due in {_duration(clock)}", False
    return f"due in {_duration(office)} of office time", False


def _holder(item: ReviewItem, names: dict[int, str], now: datetime) -> str:
    if item.claimed_by is None or item.claimed_until is None or _aware(item.claimed_until) <= now:
        return ""
    until = local_time(_aware(item.claimed_until)).strftime("%H:%M")
    return f"held by {names.get(item.claimed_by, 'another officer')} until {until}"


def queue_rows(session: Session, rows: Rows, profiles: Callable[[str], Profile], now: datetime) -> list[QueueRow]:
    scores = reviews.latest_scores(session, comment_ids=[comment.id for _, comment, _ in rows])
    names = accounts.user_names(session, user_ids={i.claimed_by for i, _, _ in rows if i.claimed_by is not None})
    out = []
    for item, comment, decision in rows:
        score = scores.get(comment.id)
        due, late = countdown(profiles(item.council), item.respond_by, now)
        why = ", ".join(REVIEW_CAUSE_WORDS.get(c, c.replace("_", " ")) for c in decision.review_causes)
        text = masked(comment.text, score.pii_spans if score else []) if comment.text else "[text purged]"
        intent = score.intent if score else "none"
        out.append(
            QueueRow(
                item, comment, decision, intent, text, why or "a reply is owed", due, late, _holder(item, names, now)
            )
        )
    return out


def respond_queue(
    session: Session, *, councils: list[str], queues: Collection[str], profiles: Callable[[str], Profile], now: datetime
) -> list[QueueRow]:
    """Everything that owes a resident a reply (questions, service requests, complaints, FOI and
    SAR, press) in the queues this person sees, the earliest deadline first."""
    rows = [row for row in repo.review_queue(session, councils=councils, limit=500) if row[0].queue in queues]
    listed = queue_rows(session, rows, profiles, now)
    # An advert phrased as a question is not owed a reply: what the model would remove stays out.
    owed = [
        r
        for r in listed
        if r.item.queue == "respond" or (r.intent in RESPOND_INTENTS and r.decision.action != "remove")
    ]
    far = datetime.max.replace(tzinfo=UTC)
    return sorted(owed, key=lambda r: (_aware(r.item.respond_by) if r.item.respond_by else far, r.item.id))
