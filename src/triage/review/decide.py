"""The officer decision as one command: labels, reason, note, bulk, warn or block the author,
redaction and undo, each checked against the person's role and councils, audited and committed."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from triage.connectors import outbox
from triage.labels import ACTIONS, AUTHOR_ACTIONS, BULK_SCOPES, LABELS
from triage.policy import Profile
from triage.review.queue import Actor, ItemNotFound, ReviewError, claim, manages, may_decide
from triage.review.worklist import near_duplicates
from triage.storage import repo, reviews
from triage.storage.reviews import ReviewItem, StoredComment
from triage.text import split_at_spans

MAX_REASON_CODE, MAX_NOTE = 64, 2000  # the columns' sizes


@dataclass(frozen=True)
class OfficerDecision:
    """What the officer decided, as the review page and the JSON API both send it."""

    action: str
    labels: Mapping[str, int] = field(default_factory=dict)
    reason_code: str = "other"
    note: str = ""
    bulk: str = "one"  # one | duplicates | author: which open items it applies to
    author_action: str = "none"  # none | warn | block
    redact: bool = False  # remove in part: the PII spans replaced by their type
    reply: str = ""  # the answer to the resident, stored with the decision


@dataclass(frozen=True)
class ReviewOutcome:
    """The officer decisions recorded (the item's own first) and what they left behind."""

    decision_ids: tuple[int, ...]
    review_item_id: int
    queue: str
    action: str
    labels: dict[str, int]
    reason_code: str
    created_at: datetime
    redacted_text: str | None = None  # the item's comment after redaction, when redacted


def _check(decision: OfficerDecision, actor: Actor) -> None:
    if decision.action not in ACTIONS:
        raise ReviewError(f"unknown action {decision.action!r}; choose from {', '.join(ACTIONS)}")
    unknown = set(decision.labels) - set(LABELS)
    if unknown:
        raise ReviewError(f"unknown labels {sorted(unknown)}")
    if decision.bulk not in BULK_SCOPES:
        raise ReviewError(f"unknown bulk scope {decision.bulk!r}: use {', '.join(BULK_SCOPES)}")
    if decision.author_action not in AUTHOR_ACTIONS:
        raise ReviewError(f"unknown author action {decision.author_action!r}: use {', '.join(AUTHOR_ACTIONS)}")
    if decision.author_action == "block" and not manages(actor.role):
        raise ReviewError("only managers block authors")
    _check_wording(decision.reason_code, decision.note)
    if len(decision.reply) > MAX_NOTE or "\x00" in decision.reply:
        raise ReviewError(f"a reply has at most {MAX_NOTE} characters and no NUL characters")


def _check_wording(reason_code: str, note: str) -> None:
    """Refused with a message, never by the database (PostgreSQL rejects NUL and long values)."""
    if not reason_code.strip() or len(reason_code) > MAX_REASON_CODE:
        raise ReviewError(f"a reason code has 1 to {MAX_REASON_CODE} characters")
    if len(note) > MAX_NOTE:
        raise ReviewError(f"a note has at most {MAX_NOTE} characters")
    if "\x00" in reason_code + note:
        raise ReviewError("the reason and the note must not contain NUL characters")


def redacted(text: str, spans: list[dict[str, Any]]) -> str:
    """The text with each personal-information span replaced by its type: removal in part."""
    return "".join(piece if kind is None else f"[{kind} removed]" for piece, kind in split_at_spans(text, spans))


def _targets(session: Session, item: ReviewItem, bulk: str) -> list[ReviewItem]:
    if bulk == "one":
        return [item]
    if bulk == "duplicates":
        return near_duplicates(session, item=item)
    return reviews.open_items_like(session, item=item, same="author")


def _record(session: Session, item: ReviewItem, actor: Actor, decision: OfficerDecision, now: datetime) -> int:
    if not may_decide(actor.role, item.queue):
        raise ReviewError("referred items are decided by managers")
    if item.status != "open":
        raise ReviewError("this item has already been decided")
    claim(item, user_id=actor.user_id, now=now, minutes=1)
    labels = {label: int(value) for label, value in decision.labels.items()}
    row = reviews.add_officer_decision(
        session,
        item=item,
        user_id=actor.user_id,
        action=decision.action,
        labels=labels,
        reason_code=decision.reason_code,
        note=decision.note[:MAX_NOTE],
        now=now,
        reply=decision.reply.strip() or None,
    )
    item.status, item.claimed_by, item.claimed_until = "decided", None, None
    detail = {"action": decision.action, "labels": labels, "reason_code": decision.reason_code}
    repo.audit(
        session,
        actor=actor.name,
        kind="officer_decision",
        subject=f"comment:{item.comment_id}",
        council=item.council,
        detail=detail,
        now=now,
    )
    return row.id


def _author_action(
    session: Session, comment: StoredComment, action: str, appeal_months: int | None, actor: Actor, now: datetime
) -> None:
    """Warn or block the comment's author, following the profile's escalation (blocks: managers)."""
    if action == "none":
        return
    author = repo.author_or_new(
        session, council=comment.council, platform=comment.platform, handle=comment.author_handle or ""
    )
    if action == "warn":
        author.warnings += 1
    else:
        author.blocked, author.blocked_at = True, now
        author.appeal_after = now + timedelta(days=30 * appeal_months) if appeal_months is not None else None
    detail = {"comment_id": comment.id, "warnings": author.warnings, "appeal_after": str(author.appeal_after or "")}
    repo.audit(
        session,
        actor=actor.name,
        kind=f"author_{action}",
        subject=f"author:{author.id}",
        council=comment.council,
        detail=detail,
        now=now,
    )


def _redact(session: Session, comment: StoredComment, actor: Actor, now: datetime) -> str:
    """Store what a removal in part leaves: the platform integration publishes this text."""
    score = repo.latest_score(session, comment_id=comment.id)
    spans = score.pii_spans if score else []
    comment.redacted_text, comment.redacted_at = redacted(comment.text or "", spans), now
    repo.audit(
        session,
        actor=actor.name,
        kind="comment_redacted",
        subject=f"comment:{comment.id}",
        council=comment.council,
        detail={"spans": len(spans)},
        now=now,
    )
    return comment.redacted_text


def decide(
    session: Session,
    *,
    item_id: int,
    actor: Actor,
    decision: OfficerDecision,
    profiles: Callable[[str], Profile],
    now: datetime,
) -> ReviewOutcome:
    """Record an officer's decision on an item (and, in bulk, on the open items like it), with
    its author action and redaction; all or nothing, committed before returning."""
    item = reviews.item_in(session, item_id=item_id, councils=actor.councils)
    if item is None:
        raise ItemNotFound(f"no review item {item_id} in your councils")
    _check(decision, actor)
    return _apply(session, _targets(session, item, decision.bulk), actor, decision, profiles, now)


def decide_items(
    session: Session,
    *,
    item_ids: list[int],
    actor: Actor,
    decision: OfficerDecision,
    profiles: Callable[[str], Profile],
    now: datetime,
) -> ReviewOutcome:
    """One decision over the items an officer ticked in a queue: all or nothing, undone as one."""
    found = [reviews.item_in(session, item_id=i, councils=actor.councils) for i in dict.fromkeys(item_ids)]
    items = [item for item in found if item is not None]
    if not items or len(items) != len(found):
        raise ItemNotFound("choose items from your councils' queues")
    _check(decision, actor)
    return _apply(session, items, actor, decision, profiles, now)


def _apply(
    session: Session,
    targets: list[ReviewItem],
    actor: Actor,
    decision: OfficerDecision,
    profiles: Callable[[str], Profile],
    now: datetime,
) -> ReviewOutcome:
    """Every target decided at the same moment `now`: that moment makes them one action for undo."""
    item, ids, text = targets[0], [], None
    appeal_months = profiles(item.council).escalation.block_appeal_months
    try:
        for target in targets:
            ids.append(_record(session, target, actor, decision, now))
            # The platform action goes into the outbox in this same transaction (transactional outbox).
            outbox.enqueue_for_decision(
                session,
                comment_id=target.comment_id,
                action=decision.action,
                decision_id=ids[-1],
                profile=profiles(target.council),
                now=now,
                reply=decision.reply,
            )
            comment = reviews.comment_of(session, item=target)
            _author_action(session, comment, decision.author_action, appeal_months, actor, now)
            if decision.redact:
                left = _redact(session, comment, actor, now)
                text = left if target.id == item.id else text
    except ReviewError:
        session.rollback()
        raise
    except outbox.OutboxError as error:  # a reply too long for the platform: nothing is recorded
        session.rollback()
        raise ReviewError(str(error)) from None
    session.commit()
    labels = {label: int(value) for label, value in decision.labels.items()}
    return ReviewOutcome(tuple(ids), item.id, item.queue, decision.action, labels, decision.reason_code, now, text)
