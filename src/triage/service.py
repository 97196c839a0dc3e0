"""Triage comments: assemble context, decide, persist, enqueue; scoring is done by the caller (the
API micro-batches it) and passed in, or None when the model could not score."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from triage.policy import Profile, decide
from triage.policy.engine import model_unavailable
from triage.review import queue_for
from triage.storage import repo
from triage.storage.tables import AuthorRow, CommentRow, DecisionRow, ReviewItemRow, ScoreRow
from triage.text import dedup_key
from triage.types import Comment, Context, Decision, ScoredText


@dataclass(frozen=True)
class IncomingComment:
    council: str
    platform: str
    external_id: str
    author_handle: str
    post_id: str
    post_topic: str
    text: str
    created_at: datetime | None


@dataclass(frozen=True)
class Outcome:
    comment: CommentRow
    score: ScoreRow | None
    decision: DecisionRow
    created: bool  # False when an earlier identical post was found (idempotent retry)


def text_key(text: str) -> str:
    return hashlib.sha256(dedup_key(text).encode()).hexdigest()


def existing(session: Session, incoming: IncomingComment) -> Outcome | None:
    """The stored result of an earlier post with the same (council, platform, external id)."""
    row = repo.find_comment(
        session, council=incoming.council, platform=incoming.platform, external_id=incoming.external_id
    )
    if row is None:
        return None
    decisions = repo.decisions_of(session, comment_id=row.id)
    return Outcome(row, repo.latest_score(session, comment_id=row.id), decisions[0], created=False)


def _uncertainty(scored: ScoredText | None, profile: Profile) -> float:
    """How close the nearest score is to its threshold: 1 on the threshold, 0 far from it."""
    if scored is None:
        return 1.0
    gaps = [abs(scored.scores[label] - rule.threshold) for label, rule in profile.categories.items()]
    return round(1.0 - min(gaps), 4)


@dataclass(frozen=True)
class Pending:
    """One comment waiting to be stored, with what the model said (or why it could not)."""

    incoming: IncomingComment
    scored: ScoredText | None
    model_version: str | None
    failure: str = ""


def record(
    session: Session,
    incoming: IncomingComment,
    scored: ScoredText | None,
    profile: Profile,
    *,
    model_version: str | None,
    now: datetime,
    duplicate_window: timedelta = timedelta(hours=24),
    failure: str = "",
) -> Outcome:
    """Decide and store one comment in one transaction, committed before returning; a comment
    stored before (a retry) is returned as it was stored."""
    pending = Pending(incoming, scored, model_version, failure)
    return _record_alone(session, pending, lambda _: profile, now, duplicate_window)


def record_many(
    session: Session,
    pending: list[Pending],
    profile_for: Callable[[str], Profile],
    *,
    now: datetime,
    duplicate_window: timedelta = timedelta(hours=24),
) -> list[Outcome | Exception]:
    """Decide and store many comments in one transaction (one commit for all: group commit), in
    order, so a later comment sees an earlier one as a repeat, a retry or a warned author. If the
    transaction fails (a concurrent worker stored one of them first, or one is faulty), it is
    rolled back and each comment is stored alone, so only a faulty one fails."""
    try:
        outcomes: list[Outcome | Exception] = list(_store(session, pending, profile_for, now, duplicate_window))
        session.commit()
        return outcomes
    except Exception:
        session.rollback()
    results: list[Outcome | Exception] = []
    for item in pending:
        try:
            results.append(_record_alone(session, item, profile_for, now, duplicate_window))
        except Exception as error:
            results.append(error)
    return results


def _record_alone(session: Session, pending: Pending, profile_for: Callable[[str], Profile], now: datetime,
                  window: timedelta) -> Outcome:  # fmt: skip
    try:
        [outcome] = _store(session, [pending], profile_for, now, window)
        session.commit()
        return outcome
    except IntegrityError:  # a concurrent post of the same comment won the race: return its result
        session.rollback()
        found = existing(session, pending.incoming)
        if found is None:
            raise
        return found
    except Exception:
        session.rollback()
        raise


def _key(incoming: IncomingComment) -> tuple[str, str, str]:
    return incoming.council, incoming.platform, incoming.external_id


def _store(session: Session, pending: list[Pending], profile_for: Callable[[str], Profile], now: datetime,
           window: timedelta) -> list[Outcome]:  # fmt: skip
    """Context for every comment from three queries, the rules, then one multi-row insert per
    table: the cost per comment stays small when many arrive together. Not committed."""
    stored = repo.comment_ids_by_external(session, {_key(p.incoming) for p in pending})
    authors = repo.authors_by_handle(session, {(p.incoming.council, p.incoming.platform, p.incoming.author_handle)
                                               for p in pending})  # fmt: skip
    warnings = {key: row.warnings for key, row in authors.items()}
    keys = [text_key(p.incoming.text) for p in pending]
    recent: dict[tuple[str, str], list[tuple[str | None, str]]] = {}  # (council, text) -> [(author, post)]
    for council, text, handle, post in repo.recent_by_text_key(session, councils={p.incoming.council for p in pending},
                                                               text_keys=set(keys), since=now - window):  # fmt: skip
        recent.setdefault((council, text), []).append((handle, post))
    first_of: dict[tuple[str, str, str], int] = {}  # in-batch retries answer with the first post
    new: list[tuple[int, Pending, Decision, str]] = []
    warned: list[tuple[int, tuple[str, str, str], int]] = []  # (new comment, author, warnings after)
    for index, (item, key) in enumerate(zip(pending, keys, strict=True)):
        incoming = item.incoming
        if _key(incoming) in stored or _key(incoming) in first_of:
            continue
        first_of[_key(incoming)] = index
        author_key = (incoming.council, incoming.platform, incoming.author_handle)
        author = authors.get(author_key)
        earlier = recent.setdefault((incoming.council, key), [])
        duplicates = sum(1 for handle, post in earlier if handle == incoming.author_handle or post == incoming.post_id)
        context = Context(now=now, author_warnings=warnings.get(author_key, 0), author_blocked=bool(author and author.blocked),
                          duplicate_count=duplicates, post_topic=incoming.post_topic)  # fmt: skip
        comment = Comment(text=incoming.text, platform=incoming.platform, author_handle=incoming.author_handle,
                          post_topic=incoming.post_topic, received_at=now)  # fmt: skip
        profile = profile_for(incoming.council)
        if item.scored is None:  # fail safe, with the cause in the stored reason
            decision = model_unavailable(comment, context, profile, detail=item.failure)
        else:
            decision = decide(comment, item.scored, context, profile)
        earlier.append((incoming.author_handle, incoming.post_id))
        if not decision.needs_review and "warn_author" in decision.flags:  # the integration delivers the warning
            warnings[author_key] = warnings.get(author_key, 0) + 1
            warned.append((len(new), author_key, warnings[author_key]))
        new.append((index, item, decision, key))
    created = _insert(session, new, warned, authors, profile_for, now)
    outcomes: list[Outcome] = []
    for index, item in enumerate(pending):
        first = first_of.get(_key(item.incoming))
        if first == index:
            outcomes.append(created[index])
        elif first is not None:
            outcomes.append(replace(created[first], created=False))
        else:
            found = existing(session, item.incoming)
            if found is None:  # stored a moment ago, then purged or rolled back: store it alone
                raise LookupError("a stored comment vanished")
            outcomes.append(found)
    return outcomes


def _insert(session: Session, new: list[tuple[int, Pending, Decision, str]], warned: list[tuple[int, tuple[str, str, str], int]],
            authors: dict[tuple[str, str, str], AuthorRow], profile_for: Callable[[str], Profile], now: datetime) -> dict[int, Outcome]:  # fmt: skip
    comments = [CommentRow(council=p.incoming.council, platform=p.incoming.platform, external_id=p.incoming.external_id,
                           author_handle=p.incoming.author_handle, post_id=p.incoming.post_id, post_topic=p.incoming.post_topic,
                           text=p.incoming.text, text_key=key, created_at=p.incoming.created_at, received_at=now, purged_at=None)
                for _, p, _, key in new]  # fmt: skip
    repo.insert_all(session, comments)
    decisions = [DecisionRow(comment_id=c.id, policy_version=d.policy_version, model_version=p.model_version, action=d.action,
                             flags=list(d.flags), reasons=[r.as_dict() for r in d.reasons], needs_review=d.needs_review,
                             review_causes=list(d.review_causes), priority=d.priority, respond_by=d.respond_by, created_at=now)
                 for c, (_, p, d, _) in zip(comments, new, strict=True)]  # fmt: skip
    repo.insert_all(session, decisions)
    scores = {i: ScoreRow(comment_id=c.id, model_version=p.model_version, scores=p.scored.scores, intent=p.scored.intent,
                          pii_spans=[s.as_dict() for s in p.scored.pii_spans], created_at=now)
              for i, (c, (_, p, _, _)) in enumerate(zip(comments, new, strict=True))
              if p.scored is not None and p.model_version is not None}  # fmt: skip
    review = [ReviewItemRow(comment_id=c.id, decision_id=r.id, council=c.council, status="open", queue=queue_for(d),
                            priority=d.priority, uncertainty=_uncertainty(p.scored, profile_for(c.council)),
                            respond_by=d.respond_by, created_at=now, claimed_by=None, claimed_until=None)
              for c, r, (_, p, d, _) in zip(comments, decisions, new, strict=True) if d.needs_review]  # fmt: skip
    repo.insert_all(session, [*scores.values(), *review], ids=False)
    _note_warnings(session, [(comments[i].id, key, count) for i, key, count in warned], authors, now)
    return {index: Outcome(c, scores.get(i), r, created=True)
            for i, (c, r, (index, _, _, _)) in enumerate(zip(comments, decisions, new, strict=True))}  # fmt: skip


def _note_warnings(session: Session, warned: list[tuple[int, tuple[str, str, str], int]],
                   authors: dict[tuple[str, str, str], AuthorRow], now: datetime) -> None:  # fmt: skip
    """Authors warned automatically: their count is what the rules saw plus this warning, and the
    audit trail says why."""
    for comment_id, key, count in warned:
        if key not in authors:
            authors[key] = repo.author_or_new(session, council=key[0], platform=key[1], handle=key[2])
        authors[key].warnings = count
        repo.audit(session, actor="service", kind="author_warned", subject=f"author:{authors[key].id}", council=key[0],
                   detail={"comment_id": comment_id, "warnings": count}, now=now)  # fmt: skip
    session.flush()


def decision_summary(outcome: Outcome) -> dict[str, Any]:
    """The stored result as plain data, the same for a first post and a retry."""
    d, s = outcome.decision, outcome.score
    return {
        "id": outcome.comment.id, "council": outcome.comment.council, "created": outcome.created,
        "scores": s.scores if s else None, "pii_spans": s.pii_spans if s else [], "intent": s.intent if s else None,
        "action": d.action, "flags": d.flags, "reasons": d.reasons, "needs_review": d.needs_review,
        "review_causes": d.review_causes, "priority": d.priority,
        "respond_by": d.respond_by.isoformat() if d.respond_by else None,
        "model_version": d.model_version, "policy_version": d.policy_version,
    }  # fmt: skip
