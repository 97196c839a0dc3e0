"""Data protection: subject access exports (UK GDPR art. 15) and retention purges (art. 5(1)(e)),
the library commands behind `triage sar` and `triage purge` (format: docs/SECURITY.md)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from triage.config import Settings
from triage.policy.profile import ProfileError, profile_by_name
from triage.storage import privacy, repo
from triage.storage.privacy import AuditEvent, Author, OfficerDecisionRecord, Score, StoredComment, StoredDecision

SAR_FORMAT = "triage-subject-access/1"


class RetentionError(ValueError):
    """A retention period that cannot be used: names the problem."""


def retention_days(settings: Settings, council: str) -> int:
    """The council's profile's retention period (the default profile's if it has none)."""
    try:
        profile = profile_by_name(settings.profile_for(council))
    except ProfileError:
        profile = profile_by_name(settings.default_profile)
    return profile.retention_days


def checked_days(days: int) -> int:
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise RetentionError(f"a retention period is a whole number of days, at least 1 (got {days!r})")
    return days


@dataclass(frozen=True)
class PurgeReport:
    councils: dict[str, dict[str, int]]  # council -> {"days": retention, "purged": comments}
    raw_deliveries: int  # raw webhook bodies blanked
    raw_days: int | None  # the period they were kept (None: no council, nothing to measure by)


def purge_expired(session: Session, *, days_for: Callable[[str], int], now: datetime) -> PurgeReport:
    """Purge each council's comments older than its retention period, and the raw webhook
    bodies they arrived in; audited, not committed."""
    report: dict[str, dict[str, int]] = {}
    for council in privacy.councils_with_unpurged_comments(session):
        days = checked_days(days_for(council))
        count = privacy.purge_comments(session, council=council, before=now - timedelta(days=days), now=now)
        report[council] = {"days": days, "purged": count}
        detail = {"purged": count, "days": days}
        repo.audit(
            session, actor="cli", kind="retention_purge", subject="comments", council=council, detail=detail, now=now
        )
    raw_days, raw = _purge_raw_deliveries(session, days_for=days_for, now=now)
    return PurgeReport(councils=report, raw_deliveries=raw, raw_days=raw_days)


def _purge_raw_deliveries(session: Session, *, days_for: Callable[[str], int], now: datetime) -> tuple[int | None, int]:
    """A delivery is not tied to one council until it is parsed, and it is only needed until it is
    processed: raw bodies are kept for the shortest retention period of any council."""
    councils = privacy.councils_with_data(session)
    if not councils:
        return None, 0
    days = min(checked_days(days_for(council)) for council in councils)
    count = privacy.blank_inbound_bodies(session, before=now - timedelta(days=days))
    detail = {"purged": count, "days": days}
    repo.audit(
        session, actor="cli", kind="retention_purge", subject="inbound_events", council=None, detail=detail, now=now
    )
    return days, count


def subject_access(session: Session, *, handle: str, councils: Sequence[str] | None, now: datetime) -> dict[str, Any]:
    """Everything held about `handle`, one group per council and platform; the export is audited
    (without the handle), not committed."""
    authors = privacy.authors_with_handle(session, handle=handle, councils=councils)
    comments = privacy.comments_with_handle(session, handle=handle, councils=councils)
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for key in sorted({(a.council, a.platform) for a in authors} | {(c.council, c.platform) for c in comments}):
        groups[key] = {"council": key[0], "platform": key[1], "author": None, "comments": [], "audit_events": []}
    subjects: dict[str, tuple[str, str]] = {}
    for author in authors:
        groups[(author.council, author.platform)]["author"] = _author(author)
        subjects[f"author:{author.id}"] = (author.council, author.platform)
    for comment, entry in zip(comments, _comment_entries(session, comments), strict=True):
        groups[(comment.council, comment.platform)]["comments"].append(entry)
        subjects[f"comment:{comment.id}"] = (comment.council, comment.platform)
    for event in privacy.audit_events_about(session, subjects=list(subjects)):
        groups[subjects[event.subject]]["audit_events"].append(_event(event))
    detail = {"groups": len(groups), "comments": len(comments)}
    repo.audit(
        session, actor="cli", kind="subject_access_export", subject="author", council=None, detail=detail, now=now
    )
    return {
        "format": SAR_FORMAT,
        "handle": handle,
        "exported_at": now.isoformat(),
        "councils": sorted({c for c, _ in groups}),
        "groups": list(groups.values()),
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _author(row: Author) -> dict[str, Any]:
    return {
        "warnings": row.warnings,
        "blocked": row.blocked,
        "blocked_at": _iso(row.blocked_at),
        "appeal_after": _iso(row.appeal_after),
    }


def _event(row: AuditEvent) -> dict[str, Any]:
    by = "service" if row.actor in ("service", "cli") else row.actor.split(":")[0]  # staff identities withheld
    return {"at": _iso(row.at), "kind": row.kind, "by": by, "detail": row.detail}


def _comment_entries(session: Session, comments: list[StoredComment]) -> list[dict[str, Any]]:
    ids = [c.id for c in comments]
    scores, decisions = privacy.scores_of(session, ids), privacy.decisions_of(session, ids)
    items, officers = privacy.review_items_of(session, ids), privacy.officer_decisions_of(session, ids)
    return [
        {
            "id": c.id,
            "external_id": c.external_id,
            "post_id": c.post_id,
            "post_topic": c.post_topic,
            "text": c.text,
            "created_at": _iso(c.created_at),
            "received_at": _iso(c.received_at),
            "purged_at": _iso(c.purged_at),
            "scores": [_score(s) for s in scores[c.id]],
            "decisions": [_decision(d) for d in decisions[c.id]],
            "reviews": [{"queue": r.queue, "status": r.status, "at": _iso(r.created_at)} for r in items[c.id]],
            "officer_decisions": [_officer(o) for o in officers[c.id]],
        }
        for c in comments
    ]


def _score(row: Score) -> dict[str, Any]:
    return {
        "model_version": row.model_version,
        "scores": row.scores,
        "intent": row.intent,
        "pii_spans": row.pii_spans,
        "at": _iso(row.created_at),
    }


def _decision(row: StoredDecision) -> dict[str, Any]:
    return {
        "action": row.action,
        "flags": row.flags,
        "reasons": row.reasons,
        "needs_review": row.needs_review,
        "review_causes": row.review_causes,
        "respond_by": _iso(row.respond_by),
        "model_version": row.model_version,
        "policy_version": row.policy_version,
        "at": _iso(row.created_at),
    }


def _officer(row: OfficerDecisionRecord) -> dict[str, Any]:
    """What officers decided and wrote; which officer is withheld (their data, not the subject's)."""
    return {
        "action": row.action,
        "labels": row.labels,
        "reason_code": row.reason_code,
        "note": row.note,
        "at": _iso(row.created_at),
    }
