"""What the service did on its own (removals, allows, warnings), and an officer's reversal of it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from triage.connectors import outbox
from triage.policy import Profile
from triage.review.queue import Actor, ItemNotFound, ReviewError
from triage.storage import repo, reviews

REVERSED = {"remove": "allow", "allow": "remove", "respond": "allow"}


@dataclass(frozen=True)
class Automatic:
    decision: Any
    comment: Any
    warned: bool
    reversed: bool  # an officer has reversed it (its review item holds the officer's decision)
    item_id: int | None


def automatic_actions(
    session: Session, *, councils: list[str], action: str | None = None, warned_only: bool = False
) -> list[Automatic]:
    """The decisions no person took, newest first; `action` and `warned_only` filter them."""
    rows = reviews.automatic_decisions(session, councils=councils, action=action or None)
    found = [
        Automatic(d, c, "warn_author" in d.flags, item is not None, item.id if item else None) for d, c, item in rows
    ]
    return [row for row in found if row.warned or not warned_only]


def reverse(
    session: Session,
    *,
    decision_id: int,
    actor: Actor,
    now: datetime,
    profiles: Callable[[str], Profile] | None = None,
) -> int:
    """Reverse an automatic decision: recorded as an officer's decision on a new, decided review
    item (so it counts as training data and in the history), the author's automatic warning
    withdrawn, and the platform action taken back through the outbox in the same transaction
    (an automatic removal is unhidden). Returns the review item's id."""
    decision, comment = _reversible(session, decision_id, actor)
    item = reviews.add_decided_item(session, decision=decision, council=comment.council, now=now)
    action = REVERSED.get(decision.action, "allow")
    note = f"reverses the automatic {decision.action}"
    row = reviews.add_officer_decision(
        session, item=item, user_id=actor.user_id, action=action, labels={}, reason_code="reversal", note=note, now=now
    )
    profile = profiles(comment.council) if profiles else None
    outbox.enqueue_for_decision(
        session, comment_id=comment.id, action=action, decision_id=row.id, profile=profile, now=now
    )
    detail: dict[str, Any] = {"decision": decision.id, "was": decision.action, "now": action}
    if "warn_author" in decision.flags and _withdraw_warning(session, comment):
        detail["warning_withdrawn"] = True
    repo.audit(
        session,
        actor=actor.name,
        kind="automatic_reversed",
        subject=f"comment:{comment.id}",
        council=comment.council,
        detail=detail,
        now=now,
    )
    session.commit()
    return item.id


def _reversible(session: Session, decision_id: int, actor: Actor) -> tuple[Any, Any]:
    """The automatic decision and its comment, if the actor may reverse it and nobody has yet."""
    decision = reviews.model_decision(session, decision_id=decision_id, councils=actor.councils)
    if decision is None or decision.needs_review:
        raise ItemNotFound("no such automatic decision in your councils")
    if repo.review_item_of(session, comment_id=decision.comment_id) is not None:
        raise ReviewError("this decision has already been reversed or sent to a person")
    comment = repo.get_comment(session, comment_id=decision.comment_id, councils=list(actor.councils))
    assert comment is not None  # model_decision checked the council
    return decision, comment


def _withdraw_warning(session: Session, comment: Any) -> bool:
    """One automatic warning fewer on the comment's author; False when there is none to withdraw."""
    if not comment.author_handle:
        return False
    author = repo.author(session, council=comment.council, platform=comment.platform, handle=comment.author_handle)
    if author is None or author.warnings <= 0:
        return False
    author.warnings -= 1
    return True
