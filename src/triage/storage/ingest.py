"""Storage for ingest: what the rules need to know about a batch, and the batch's rows written at once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from triage.storage import repo
from triage.storage.tables import CommentRow, DecisionRow, ReviewItemRow, ScoreRow
from triage.types import Decision, IncomingComment, ScoredText

AuthorKey = repo.AuthorKey


@dataclass(frozen=True)
class AuthorRecord:
    id: int
    warnings: int
    blocked: bool


@dataclass(frozen=True)
class Triaged:
    """One new comment with everything decided about it, ready to be written."""

    incoming: IncomingComment
    text_key: str
    scored: ScoredText | None
    model_version: str | None
    decision: Decision
    queue: str
    uncertainty: float


@dataclass(frozen=True)
class StoredResult:
    """A comment's stored result as plain data, the same for a first post and a retry."""

    id: int
    council: str
    created: bool  # False when an earlier identical post was found (idempotent retry)
    scores: dict[str, float] | None
    pii_spans: list[dict[str, Any]]
    intent: str | None
    action: str
    flags: list[str]
    reasons: list[dict[str, Any]]
    needs_review: bool
    review_causes: list[str]
    priority: int
    respond_by: datetime | None
    model_version: str | None
    policy_version: str


def _result(comment: CommentRow, score: ScoreRow | None, decision: DecisionRow, created: bool) -> StoredResult:
    return StoredResult(
        id=comment.id,
        council=comment.council,
        created=created,
        scores=score.scores if score else None,
        pii_spans=score.pii_spans if score else [],
        intent=score.intent if score else None,
        action=decision.action,
        flags=list(decision.flags),
        reasons=list(decision.reasons),
        needs_review=decision.needs_review,
        review_causes=list(decision.review_causes),
        priority=decision.priority,
        respond_by=decision.respond_by,
        model_version=decision.model_version,
        policy_version=decision.policy_version,
    )


def stored_result(session: Session, *, council: str, platform: str, external_id: str) -> StoredResult | None:
    """The stored result of an earlier post with the same (council, platform, external id)."""
    row = repo.find_comment(session, council=council, platform=platform, external_id=external_id)
    if row is None:
        return None
    decisions = repo.decisions_of(session, comment_id=row.id)
    return _result(row, repo.latest_score(session, comment_id=row.id), decisions[0], created=False)


def author_records(session: Session, keys: set[AuthorKey]) -> dict[AuthorKey, AuthorRecord]:
    """Known authors' warnings and blocks among (council, platform, handle) keys, in one query."""
    return {key: AuthorRecord(*found) for key, found in repo.authors_by_handle(session, keys).items()}


Values = dict[str, Any]


def _comment_values(item: Triaged, now: datetime) -> Values:
    incoming = item.incoming
    return {
        "council": incoming.council,
        "platform": incoming.platform,
        "external_id": incoming.external_id,
        "author_handle": incoming.author_handle,
        "post_id": incoming.post_id,
        "post_topic": incoming.post_topic,
        "text": incoming.text,
        "text_key": item.text_key,
        "permalink": incoming.permalink,
        "post_text": incoming.post_text or None,
        "created_at": incoming.created_at,
        "received_at": now,
        "purged_at": None,
    }


def _decision_values(comment_id: int, item: Triaged, now: datetime) -> Values:
    decision = item.decision
    return {
        "comment_id": comment_id,
        "policy_version": decision.policy_version,
        "model_version": item.model_version,
        "action": decision.action,
        "flags": list(decision.flags),
        "reasons": [reason.as_dict() for reason in decision.reasons],
        "needs_review": decision.needs_review,
        "review_causes": list(decision.review_causes),
        "priority": decision.priority,
        "respond_by": decision.respond_by,
        "created_at": now,
    }


def _score_values(comment_id: int, item: Triaged, now: datetime) -> Values | None:
    if item.scored is None or item.model_version is None:
        return None
    return {
        "comment_id": comment_id,
        "model_version": item.model_version,
        "scores": item.scored.scores,
        "intent": item.scored.intent,
        "pii_spans": [span.as_dict() for span in item.scored.pii_spans],
        "created_at": now,
    }


def _review_values(comment_id: int, decision_id: int, item: Triaged, now: datetime) -> Values:
    decision = item.decision
    return {
        "comment_id": comment_id,
        "decision_id": decision_id,
        "council": item.incoming.council,
        "status": "open",
        "queue": item.queue,
        "priority": decision.priority,
        "uncertainty": item.uncertainty,
        "respond_by": decision.respond_by,
        "created_at": now,
        "claimed_by": None,
        "claimed_until": None,
    }


def _new_result(comment_id: int, item: Triaged, score: Values | None, decision: Values) -> StoredResult:
    return StoredResult(
        id=comment_id,
        council=item.incoming.council,
        created=True,
        scores=score["scores"] if score else None,
        pii_spans=score["pii_spans"] if score else [],
        intent=score["intent"] if score else None,
        **{name: decision[name] for name in _DECISION_FIELDS},
    )


_DECISION_FIELDS = (
    "action",
    "flags",
    "reasons",
    "needs_review",
    "review_causes",
    "priority",
    "respond_by",
    "model_version",
    "policy_version",
)


def insert_triaged(session: Session, items: Sequence[Triaged], now: datetime) -> list[StoredResult]:
    """One multi-row INSERT per table for the whole batch, from plain values rather than ORM
    objects (whose bookkeeping cost more than the database did); not committed; results in order."""
    comments = [_comment_values(item, now) for item in items]
    comment_ids = repo.insert_values(session, CommentRow, comments, key=("council", "platform", "external_id"))
    decisions = [_decision_values(c, item, now) for c, item in zip(comment_ids, items, strict=True)]
    decision_ids = repo.insert_values(session, DecisionRow, decisions, key=("comment_id",))
    scores = [_score_values(c, item, now) for c, item in zip(comment_ids, items, strict=True)]
    repo.insert_values(session, ScoreRow, [s for s in scores if s is not None])
    review = [
        _review_values(c, d, item, now)
        for c, d, item in zip(comment_ids, decision_ids, items, strict=True)
        if item.decision.needs_review or item.queue == "respond"  # a resident is owed a reply
    ]
    repo.insert_values(session, ReviewItemRow, review)
    return [_new_result(c, item, s, d) for c, item, s, d in zip(comment_ids, items, scores, decisions, strict=True)]


def note_warnings(
    session: Session, warned: Sequence[tuple[int, AuthorKey, int]], known: dict[AuthorKey, int], now: datetime
) -> None:
    """Authors warned automatically: their count is what the rules saw plus this warning, and the
    audit trail says why. A statement per table for the batch, however many were warned. `known`:
    the ids of the authors already stored (read with their records in this transaction)."""
    if not warned:
        return
    keys = {key for _, key, _ in warned}
    ids = {key: known[key] for key in keys if key in known}
    ids |= repo.add_authors(session, keys - ids.keys())  # first warnings
    repo.set_warnings(session, {ids[key]: count for _, key, count in warned})  # the last count of each
    events = [
        repo.audit_event(
            actor="service",
            kind="author_warned",
            subject=f"author:{ids[key]}",
            council=key[0],
            detail={"comment_id": comment_id, "warnings": count},
            now=now,
        )
        for comment_id, key, count in warned
    ]
    repo.audit_all(session, events)
