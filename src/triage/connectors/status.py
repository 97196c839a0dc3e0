"""What officers and admins see of the connectors: each connection's state, what to do about it,
its actions by status, and the dead letters."""

from __future__ import annotations

from dataclasses import asdict
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
