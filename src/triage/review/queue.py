"""The review queue's rules: which queue an item goes to, who may decide it, claims with expiry."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from triage.labels import ROLE_SCOPES
from triage.storage.reviews import ReviewItem
from triage.types import Decision

MANAGER_ONLY_FLAGS = ("block_author",)


class ReviewError(ValueError):
    """An officer's decision that cannot be taken: names the problem."""


class ItemNotFound(ReviewError):
    """No such item (or decision) in the councils the person serves."""


@dataclass(frozen=True)
class Actor:
    """The person deciding: their account, role and councils."""

    user_id: int
    role: str
    councils: tuple[str, ...]

    @property
    def name(self) -> str:
        return f"user:{self.user_id}"


def queue_for(decision: Decision) -> str:
    """Referred items and blocks go to managers; a reply the service cannot write itself to the
    respond queue; everything else to the officers' moderation queue."""
    if decision.action == "refer" or any(flag in MANAGER_ONLY_FLAGS for flag in decision.flags):
        return "manager"
    return "respond" if decision.action == "respond" and not decision.needs_review else "officer"


def needs_person(decision: Decision) -> bool:
    """Whether a review item is made: a person must look, or a resident is owed a reply."""
    return decision.needs_review or queue_for(decision) == "respond"


def manages(role: str) -> bool:
    """Managers (and admins) decide the managers' queue and block authors."""
    return "review:manage" in ROLE_SCOPES.get(role, frozenset())


def may_decide(role: str, queue: str) -> bool:
    return "review:write" in ROLE_SCOPES.get(role, frozenset()) and (queue != "manager" or manages(role))


def visible_queues(role: str) -> Collection[str]:
    return ("officer", "respond", "manager") if manages(role) else ("officer", "respond")


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def release(item: ReviewItem, *, user_id: int) -> bool:
    """Give up one's own claim before it expires (opening an item claims it); False if not held."""
    if item.claimed_by != user_id:
        return False
    item.claimed_by, item.claimed_until = None, None
    return True


def claim(item: ReviewItem, *, user_id: int, now: datetime, minutes: int) -> None:
    """Two officers never decide the same item at once: a claim holds it for `minutes`."""
    held = item.claimed_by is not None and item.claimed_until is not None and _aware(item.claimed_until) > now
    if held and item.claimed_by != user_id:
        raise ReviewError("another officer is working on this item; try again when their claim expires")
    item.claimed_by, item.claimed_until = user_id, now + timedelta(minutes=minutes)
