"""Working through a queue: near-duplicate groups for bulk actions and the next item to open."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from triage.neardup import similar
from triage.storage import repo, reviews
from triage.storage.reviews import ReviewItem


def near_duplicates(session: Session, *, item: ReviewItem) -> list[ReviewItem]:
    """The open items in the item's council and queue whose text is a near-copy of its text (MinHash,
    the same rule as ingest), the item itself first: a spam wave that a bulk action decides at once."""
    text = reviews.comment_of(session, item=item).text or ""
    candidates = reviews.open_items_with_comments(session, council=item.council, queue=item.queue)
    others = [other for other, comment in candidates if other.id != item.id and similar(text, comment.text or "")]
    return [item, *others] if text else [item]


def _held_by_other(item: ReviewItem, user_id: int, now: datetime) -> bool:
    until = item.claimed_until
    if item.claimed_by in (None, user_id) or until is None:
        return False
    return (until if until.tzinfo else until.replace(tzinfo=UTC)) > now


def next_item(
    session: Session, *, councils: list[str], queue: str, user_id: int, now: datetime, skip: int | None = None
) -> int | None:
    """The most urgent open item of the queue that nobody else holds (and is not `skip`)."""
    for item, _, _ in repo.review_queue(session, councils=councils, queue=queue, limit=50):
        if item.id != skip and not _held_by_other(item, user_id, now):
            return int(item.id)
    return None
