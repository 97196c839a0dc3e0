"""Decide and store scored comments: the rules' context for a whole batch from three queries, the
rules in arrival order, one multi-row insert per table and one commit (group commit)."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from triage import language, neardup
from triage.policy import Profile, decide
from triage.policy.engine import model_unavailable
from triage.review import queue_for
from triage.storage import ingest, repo
from triage.storage.db import StorageConflict
from triage.storage.ingest import AuthorKey, StoredResult, Triaged
from triage.types import Comment, Context, Decision, IncomingComment, ScoredText

ProfileFor = Callable[[str], Profile]
# Writes that belong to a stored comment (a connector's platform object and outbox actions): run
# in the ingest's own transaction with (session, position in the batch, result), before its commit.
AlongWith = Callable[[Session, int, StoredResult], None]
CommentKey = tuple[str, str, str]  # (council, platform, external id)


@dataclass(frozen=True)
class Pending:
    """One comment waiting to be stored, with what the model said (or why it could not)."""

    incoming: IncomingComment
    scored: ScoredText | None
    model_version: str | None
    failure: str = ""


def text_key(text: str) -> str:
    return hashlib.sha256(neardup.cached_key(text).encode()).hexdigest()


def _key(incoming: IncomingComment) -> CommentKey:
    return incoming.council, incoming.platform, incoming.external_id


def _author_key(incoming: IncomingComment) -> AuthorKey:
    return incoming.council, incoming.platform, incoming.author_handle


def _uncertainty(scored: ScoredText | None, profile: Profile) -> float:
    """How close the nearest score is to its threshold: 1 on the threshold, 0 far from it."""
    if scored is None:
        return 1.0
    gaps = [abs(scored.scores[label] - rule.threshold) for label, rule in profile.categories.items()]
    return round(1.0 - min(gaps), 4)


@dataclass
class _BatchContext:
    """What the rules need about a batch's authors and texts, kept current as it is decided in order."""

    stored: dict[CommentKey, int]
    authors: dict[AuthorKey, ingest.AuthorRecord]
    recent: defaultdict[str, neardup.Nearby]  # by council
    warnings: dict[AuthorKey, int] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session, pending: Sequence[Pending], since: datetime) -> _BatchContext:
        stored = repo.comment_ids_by_external(session, {_key(p.incoming) for p in pending})
        authors = ingest.author_records(session, {_author_key(p.incoming) for p in pending})
        recent: defaultdict[str, neardup.Nearby] = defaultdict(neardup.Nearby)
        for council, handle, post, text in repo.recent_texts(
            session,
            councils={p.incoming.council for p in pending},
            handles={p.incoming.author_handle for p in pending},
            posts={p.incoming.post_id for p in pending},
            since=since,
        ):
            recent[council].add(handle, post, text)
        warnings = {key: record.warnings for key, record in authors.items()}
        return cls(stored, authors, recent, warnings)

    def context(self, incoming: IncomingComment, now: datetime) -> Context:
        """The comment's context; it then counts as an earlier copy for the rest of the batch."""
        author = self.authors.get(_author_key(incoming))
        earlier = self.recent[incoming.council]
        duplicates = earlier.copies(incoming.author_handle, incoming.post_id, incoming.text)
        earlier.add(incoming.author_handle, incoming.post_id, incoming.text)
        return Context(
            now=now,
            author_warnings=self.warnings.get(_author_key(incoming), 0),
            author_blocked=bool(author and author.blocked),
            duplicate_count=duplicates,
            post_topic=incoming.post_topic,
            **language.context_fields(incoming.text),  # type: ignore[arg-type]
        )


def _decide(item: Pending, context: Context, profile: Profile) -> Decision:
    incoming = item.incoming
    comment = Comment(
        text=incoming.text,
        platform=incoming.platform,
        author_handle=incoming.author_handle,
        post_topic=incoming.post_topic,
        received_at=context.now,
    )
    if item.scored is None:  # fail safe, with the cause in the stored reason
        return model_unavailable(comment, context, profile, detail=item.failure)
    return decide(comment, item.scored, context, profile)


def _store(
    session: Session, pending: Sequence[Pending], profile_for: ProfileFor, now: datetime, window: timedelta
) -> list[StoredResult]:
    """Decide the new comments in order and write them; retries answer with what was stored. Not committed."""
    keys = [text_key(p.incoming.text) for p in pending]
    batch = _BatchContext.load(session, pending, since=now - window)
    first_of: dict[CommentKey, int] = {}  # in-batch retries answer with the first post
    new: list[Triaged] = []
    warned: list[tuple[int, AuthorKey, int]] = []  # (position in new, author, warnings after)
    for index, (item, key) in enumerate(zip(pending, keys, strict=True)):
        if _key(item.incoming) in batch.stored or _key(item.incoming) in first_of:
            continue
        first_of[_key(item.incoming)] = index
        profile = profile_for(item.incoming.council)
        decision = _decide(item, batch.context(item.incoming, now), profile)
        if not decision.needs_review and "warn_author" in decision.flags:  # the integration delivers it
            author = _author_key(item.incoming)
            batch.warnings[author] = batch.warnings.get(author, 0) + 1
            warned.append((len(new), author, batch.warnings[author]))
        queue, uncertainty = queue_for(decision), _uncertainty(item.scored, profile)
        new.append(Triaged(item.incoming, key, item.scored, item.model_version, decision, queue, uncertainty))
    created = ingest.insert_triaged(session, new, now)
    known = {key: record.id for key, record in batch.authors.items()}
    ingest.note_warnings(session, [(created[i].id, author, count) for i, author, count in warned], known, now)
    by_index = dict(zip(first_of.values(), created, strict=True))
    return [_answer(session, item, index, first_of, by_index) for index, item in enumerate(pending)]


def _answer(
    session: Session, item: Pending, index: int, first_of: dict[CommentKey, int], created: dict[int, StoredResult]
) -> StoredResult:
    first = first_of.get(_key(item.incoming))
    if first == index:
        return created[index]
    if first is not None:
        return replace(created[first], created=False)
    incoming = item.incoming
    found = ingest.stored_result(
        session, council=incoming.council, platform=incoming.platform, external_id=incoming.external_id
    )
    if found is None:  # stored a moment ago, then purged or rolled back: store it alone
        raise LookupError("a stored comment vanished")
    return found


def record_many(
    session: Session,
    pending: Sequence[Pending],
    profile_for: ProfileFor,
    *,
    now: datetime,
    duplicate_window: timedelta = timedelta(hours=24),
    along_with: AlongWith | None = None,
) -> list[StoredResult | Exception]:
    """Decide and store many comments in one transaction (one commit for all: group commit), in
    order, so a later comment sees an earlier one as a repeat, a retry or a warned author. If the
    transaction fails (a concurrent worker stored one of them first, or one is faulty), it is
    rolled back and each comment is stored alone, so only a faulty one fails. `along_with` writes
    what belongs to each comment in the same transaction: both are committed, or neither."""
    try:
        outcomes: list[StoredResult | Exception] = list(_store(session, pending, profile_for, now, duplicate_window))
        _along(session, outcomes, along_with)
        session.commit()
        return outcomes
    except Exception:
        session.rollback()
    results: list[StoredResult | Exception] = []
    for index, item in enumerate(pending):
        alone = _at(along_with, index)
        try:
            results.append(
                record_one(session, item, profile_for, now=now, duplicate_window=duplicate_window, along_with=alone)
            )
        except Exception as error:
            results.append(error)
    return results


def _along(session: Session, outcomes: Sequence[StoredResult | Exception], along_with: AlongWith | None) -> None:
    if along_with is not None:
        for index, outcome in enumerate(outcomes):
            if not isinstance(outcome, Exception):
                along_with(session, index, outcome)


def _at(along_with: AlongWith | None, index: int) -> AlongWith | None:
    """The batch's `along_with` for one comment stored alone (its position in the batch kept)."""
    if along_with is None:
        return None
    return lambda session, _, result: along_with(session, index, result)


def record_one(
    session: Session,
    item: Pending,
    profile_for: ProfileFor,
    *,
    now: datetime,
    duplicate_window: timedelta = timedelta(hours=24),
    along_with: AlongWith | None = None,
) -> StoredResult:
    """Decide and store one comment, committed before returning; a comment stored before (a
    retry, or a concurrent post that won the race) is returned as it was stored."""
    try:
        [outcome] = _store(session, [item], profile_for, now, duplicate_window)
        _along(session, [outcome], along_with)
        session.commit()
        return outcome
    except StorageConflict as conflict:
        session.rollback()
        found = _stored_before(session, item.incoming, conflict)
    except Exception:
        session.rollback()
        raise
    try:  # idempotent: the post that won the race wrote its own, and these find them
        _along(session, [found], along_with)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return found


def _stored_before(session: Session, incoming: IncomingComment, conflict: Exception) -> StoredResult:
    found = ingest.stored_result(
        session, council=incoming.council, platform=incoming.platform, external_id=incoming.external_id
    )
    if found is None:
        raise conflict
    return found
