"""Triage one comment: assemble context, decide, persist, enqueue; scoring is done by the caller
(the API micro-batches it) and passed in, or None when the model could not score."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from triage.policy import Profile, decide
from triage.policy.engine import model_unavailable
from triage.review import enqueue
from triage.storage import repo
from triage.storage.tables import CommentRow, DecisionRow, ScoreRow
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


def build_context(session: Session, incoming: IncomingComment, now: datetime, window: timedelta) -> Context:
    record = repo.author(session, council=incoming.council, platform=incoming.platform, handle=incoming.author_handle)
    duplicates = repo.count_duplicates(session, council=incoming.council, text_key=text_key(incoming.text),
                                       author_handle=incoming.author_handle, post_id=incoming.post_id, since=now - window)  # fmt: skip
    return Context(now=now, author_warnings=record.warnings if record else 0, author_blocked=bool(record and record.blocked),
                   duplicate_count=duplicates, post_topic=incoming.post_topic)  # fmt: skip


def _uncertainty(scored: ScoredText | None, profile: Profile) -> float:
    """How close the nearest score is to its threshold: 1 on the threshold, 0 far from it."""
    if scored is None:
        return 1.0
    gaps = [abs(scored.scores[label] - rule.threshold) for label, rule in profile.categories.items()]
    return round(1.0 - min(gaps), 4)


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
    """Decide and store one comment in one transaction, committed before returning."""
    context = build_context(session, incoming, now, duplicate_window)
    comment = Comment(text=incoming.text, platform=incoming.platform, author_handle=incoming.author_handle,
                      post_topic=incoming.post_topic, received_at=now)  # fmt: skip
    if scored is None:  # fail safe, with the cause in the stored reason
        decision = model_unavailable(comment, context, profile, detail=failure)
    else:
        decision = decide(comment, scored, context, profile)
    try:
        outcome = _persist(session, incoming, scored, decision, profile, model_version, now)
        session.commit()
    except IntegrityError:  # a concurrent retry of the same post won the race: return its result
        session.rollback()
        found = existing(session, incoming)
        if found is None:
            raise
        return found
    return outcome


def _persist(session: Session, incoming: IncomingComment, scored: ScoredText | None, decision: Decision,
             profile: Profile, model_version: str | None, now: datetime) -> Outcome:  # fmt: skip
    row = repo.add_comment(session, council=incoming.council, platform=incoming.platform, external_id=incoming.external_id,
                           author_handle=incoming.author_handle, post_id=incoming.post_id, post_topic=incoming.post_topic,
                           text=incoming.text, text_key=text_key(incoming.text), created_at=incoming.created_at, received_at=now)  # fmt: skip
    score = None
    if scored is not None and model_version is not None:
        score = repo.add_score(session, comment_id=row.id, model_version=model_version, scores=scored.scores,
                               pii_spans=[s.as_dict() for s in scored.pii_spans], intent=scored.intent, now=now)  # fmt: skip
    stored = repo.add_decision(session, comment_id=row.id, policy_version=decision.policy_version, model_version=model_version,
                               action=decision.action, flags=list(decision.flags), reasons=[r.as_dict() for r in decision.reasons],
                               needs_review=decision.needs_review, review_causes=list(decision.review_causes),
                               priority=decision.priority, respond_by=decision.respond_by, created_at=now)  # fmt: skip
    if decision.needs_review:
        enqueue(session, comment=row, decision=stored, uncertainty=_uncertainty(scored, profile), now=now)
    elif "warn_author" in decision.flags:  # an automatic decision: the integration delivers the warning
        author = repo.author_or_new(
            session, council=incoming.council, platform=incoming.platform, handle=incoming.author_handle
        )
        author.warnings += 1
        repo.audit(session, actor="service", kind="author_warned", subject=f"author:{author.id}", council=incoming.council,
                   detail={"comment_id": row.id, "warnings": author.warnings}, now=now)  # fmt: skip
    return Outcome(row, score, stored, created=True)


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
