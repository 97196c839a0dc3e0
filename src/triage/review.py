"""The review queue: enqueue what needs a human, claim with expiry, record officers' decisions."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from triage.connectors import outbox
from triage.labels import ACTIONS, LABELS
from triage.policy import Profile
from triage.storage import repo
from triage.storage.tables import CommentRow, OfficerDecisionRow, ReviewItemRow
from triage.types import Decision

MANAGER_ONLY_FLAGS = ("block_author",)


class ReviewError(ValueError):
    """An officer's decision that cannot be taken: names the problem."""


def queue_for(decision: Decision) -> str:
    """Referred items and blocks go to managers; everything else to officers."""
    to_manager = decision.action == "refer" or any(flag in MANAGER_ONLY_FLAGS for flag in decision.flags)
    return "manager" if to_manager else "officer"


def claim(session: Session, *, item: ReviewItemRow, user_id: int, now: datetime, minutes: int) -> None:
    """Two officers never decide the same item at once: a claim holds it for `minutes`."""
    held = item.claimed_by is not None and item.claimed_until is not None and _aware(item.claimed_until) > now
    if held and item.claimed_by != user_id:
        raise ReviewError("another officer is working on this item; try again when their claim expires")
    item.claimed_by, item.claimed_until = user_id, now + timedelta(minutes=minutes)


def _aware(moment: datetime) -> datetime:
    from datetime import UTC

    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def record_decision(session: Session, *, item: ReviewItemRow, user_id: int, role: str, action: str, labels: dict[str, int],
                    reason_code: str, note: str, now: datetime, profile: Profile | None = None) -> OfficerDecisionRow:  # fmt: skip
    if action not in ACTIONS:
        raise ReviewError(f"unknown action {action!r}; choose from {', '.join(ACTIONS)}")
    unknown = set(labels) - set(LABELS)
    if unknown:
        raise ReviewError(f"unknown labels {sorted(unknown)}")
    if item.queue == "manager" and role not in ("manager", "admin"):
        raise ReviewError("referred items are decided by managers")
    if item.status != "open":
        raise ReviewError("this item has already been decided")
    claim(session, item=item, user_id=user_id, now=now, minutes=1)
    row = OfficerDecisionRow(review_item_id=item.id, comment_id=item.comment_id, user_id=user_id, action=action,
                             labels=labels, reason_code=reason_code, note=note, created_at=now)  # fmt: skip
    session.add(row)
    item.status, item.claimed_by, item.claimed_until = "decided", None, None
    detail: dict[str, Any] = {"action": action, "labels": labels, "reason_code": reason_code}
    repo.audit(session, actor=f"user:{user_id}", kind="officer_decision", subject=f"comment:{item.comment_id}",
               council=item.council, detail=detail, now=now)  # fmt: skip
    session.flush()
    # The platform action goes into the outbox in this same transaction (transactional outbox).
    outbox.enqueue_for_decision(session, comment_id=item.comment_id, action=action, decision_id=row.id, profile=profile,
                                now=now)  # fmt: skip
    return row


UNDO_MINUTES = 5


def apply_author_action(session: Session, *, item: ReviewItemRow, comment: CommentRow, action: str, role: str,
                        appeal_months: int | None, user_id: int, now: datetime) -> None:  # fmt: skip
    """Warn or block the comment's author, following the profile's escalation (blocks: managers)."""
    if action not in ("warn", "block"):
        return
    if action == "block" and role not in ("manager", "admin"):
        raise ReviewError("only managers block authors")
    author = repo.author_or_new(
        session, council=comment.council, platform=comment.platform, handle=comment.author_handle or ""
    )
    if action == "warn":
        author.warnings += 1
    else:
        author.blocked, author.blocked_at = True, now
        author.appeal_after = now + timedelta(days=30 * appeal_months) if appeal_months is not None else None
    repo.audit(session, actor=f"user:{user_id}", kind=f"author_{action}", subject=f"author:{author.id}", council=comment.council,
               detail={"comment_id": comment.id, "warnings": author.warnings, "appeal_after": str(author.appeal_after or "")}, now=now)  # fmt: skip


def redacted(text: str, spans: list[dict[str, Any]]) -> str:
    """The text with each personal-information span replaced by its type: removal in part."""
    out, last = [], 0
    for span in sorted(spans, key=lambda s: s["start"]):
        out += [text[last : span["start"]], f"[{span['type']} removed]"]
        last = span["end"]
    return "".join(out) + text[last:]


def undo(session: Session, *, decision: OfficerDecisionRow, user_id: int, now: datetime) -> OfficerDecisionRow:
    """Take back one's own decision within a few minutes: a new event, and the item reopens."""
    if decision.user_id != user_id:
        raise ReviewError("you can only undo your own decisions")
    made = decision.created_at if decision.created_at.tzinfo else decision.created_at.replace(tzinfo=now.tzinfo)
    if now - made > timedelta(minutes=UNDO_MINUTES):
        raise ReviewError(f"decisions can be undone for {UNDO_MINUTES} minutes only")
    item = session.get(ReviewItemRow, decision.review_item_id)
    assert item is not None
    row = OfficerDecisionRow(review_item_id=item.id, comment_id=item.comment_id, user_id=user_id, action="undo", labels={},
                             reason_code="undo", note=f"undoes decision {decision.id}", undoes_id=decision.id, created_at=now)  # fmt: skip
    session.add(row)
    item.status = "open"
    repo.audit(session, actor=f"user:{user_id}", kind="officer_undo", subject=f"comment:{item.comment_id}", council=item.council,
               detail={"undoes": decision.id}, now=now)  # fmt: skip
    session.flush()
    outbox.enqueue_for_undo(session, comment_id=item.comment_id, undoes_id=decision.id, now=now)
    return row


def bulk_targets(session: Session, *, item: ReviewItemRow, scope: str) -> list[ReviewItemRow]:
    """Open items like this one: the same normalised text (a spam wave), or the same author."""
    comment = session.get(CommentRow, item.comment_id)
    assert comment is not None
    query = (
        select(ReviewItemRow)
        .join(CommentRow, CommentRow.id == ReviewItemRow.comment_id)
        .where(ReviewItemRow.council == item.council, ReviewItemRow.status == "open", ReviewItemRow.queue == item.queue)
    )
    if scope == "duplicates":
        query = query.where(CommentRow.text_key == comment.text_key)
    elif scope == "author":
        query = query.where(CommentRow.platform == comment.platform, CommentRow.author_handle == comment.author_handle)
    else:
        raise ReviewError(f"unknown bulk scope {scope!r}: use duplicates or author")
    return list(session.scalars(query.order_by(ReviewItemRow.id)))


def redact(session: Session, *, comment: CommentRow, user_id: int, now: datetime) -> str:
    """Record a removal in part: the platform integration replaces the comment with this text."""
    score = repo.latest_score(session, comment_id=comment.id)
    text = redacted(comment.text or "", score.pii_spans if score else [])
    repo.audit(session, actor=f"user:{user_id}", kind="comment_redacted", subject=f"comment:{comment.id}", council=comment.council,
               detail={"spans": len(score.pii_spans) if score else 0}, now=now)  # fmt: skip
    return text
