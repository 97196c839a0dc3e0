"""What officers and admins see of the connectors: each connection's state, what to do about it,
its actions by status, and the dead letters."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from triage.connectors.connections import listing
from triage.storage import connections as store
from triage.storage import outbox as outbox_store


def overview(session: Session, *, councils: list[str] | None = None) -> dict[str, Any]:
    """Connections (with outbox counts), how many need attention, and the inbound backlog."""
    counts = outbox_store.counts_by_connection(session)
    views = [v for v in listing(session) if councils is None or v.council in councils]
    rows = [asdict(v) | {"actions": counts.get(v.id, {})} for v in views]
    return {
        "connections": rows,
        "needs_attention": sum(1 for v in views if v.status != "active"),
        "dead_letters": sum(counts.get(v.id, {}).get("dead", 0) for v in views),
        "would_have_acted": sum(counts.get(v.id, {}).get("shadow", 0) for v in views),
        "inbound": store.inbound_counts(session),
    }


def dead_letters(session: Session, *, councils: list[str] | None = None) -> list[dict[str, Any]]:
    return [
        {
            "id": r.id,
            "comment_id": r.comment_id,
            "action": r.action,
            "attempts": r.attempts,
            "last_error": r.last_error,
            "created_at": r.created_at.isoformat(),
        }
        for r in outbox_store.rows(session, status="dead", councils=councils)
    ]


DONE_WORDS = {"hide": "Hidden", "unhide": "Shown again", "delete": "Deleted", "reply": "Replied"}
VERBS = {"hide": "hide", "unhide": "show again", "delete": "delete", "reply": "reply"}


@dataclass(frozen=True)
class PlatformActionView:
    """One action on the platform for a review item: what, its state in words, and when."""

    action: str
    status: str
    words: str
    at: datetime


def _words(action: str, status: str, attempts: int, platform: str) -> str:
    verb = VERBS.get(action, action)
    return {
        "done": f"{DONE_WORDS.get(action, action)} on {platform}",
        "shadow": f"Would {verb} on {platform} (shadow mode: nothing sent)",
        "dead": f"Could not {verb} on {platform} after {attempts} tries: in the dead letters",
        "cancelled": f"{verb.capitalize()} cancelled before it was sent",
    }.get(status, f"Waiting to {verb} on {platform}")


def platform_actions(session: Session, *, comment_id: int) -> list[PlatformActionView]:
    """What was done (or is waiting to be done) on the platform about a stored comment, oldest
    first: sent ones at their delivery time, the rest at the time they were asked for."""
    target = store.platform_comment_of(session, comment_id=comment_id)
    if target is None:
        return []
    return [
        PlatformActionView(
            row.action,
            row.status,
            _words(row.action, row.status, row.attempts, target.platform),
            row.delivered_at or row.created_at,
        )
        for row in outbox_store.of_comment(session, platform_comment_id=target.id)
    ]
