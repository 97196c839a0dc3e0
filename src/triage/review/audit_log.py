"""The audit log in words: who by name, what in a sentence, a link to the item, filters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from triage.storage import accounts, reviews

KINDS = {
    "officer_decision": "decided an item",
    "officer_undo": "undid a decision",
    "author_warn": "warned an author",
    "author_block": "blocked an author",
    "author_warned": "warned an author automatically",
    "automatic_reversed": "reversed an automatic decision",
    "comment_redacted": "removed personal information from a comment",
    "sign_in": "signed in",
    "sign_in_failed": "failed to sign in",
    "password_changed": "changed a password",
    "retention_purge": "purged comments past retention",
    "subject_access_export": "exported a subject access request",
    "saved_reply_added": "saved a reply",
    "saved_reply_changed": "changed a saved reply",
    "saved_reply_deleted": "deleted a saved reply",
    "dead_letter_retried": "sent a failed platform action again",
    "connection_resumed": "resumed a platform connection",
}
ACTIONS = {"allow": "left it up", "remove": "removed it", "respond": "replied", "refer": "referred it"}


@dataclass(frozen=True)
class Entry:
    at: datetime
    who: str
    what: str
    link: str  # "" when the event concerns no item


def _who(actor: str, names: dict[int, str]) -> str:
    kind, _, ident = actor.partition(":")
    if kind == "user" and ident.isdigit():
        return names.get(int(ident), "a former officer")
    return {"service": "the service", "cli": "an administrator (command line)"}.get(actor, actor.replace("_", " "))


def _what(event: Any) -> str:
    detail, words = event.detail or {}, KINDS.get(event.kind, event.kind.replace("_", " "))
    if event.kind == "officer_decision":
        labels = [label.replace("_", " ") for label, on in (detail.get("labels") or {}).items() if on]
        reason = str(detail.get("reason_code", "")).replace("_", " ")
        action = str(detail.get("action", ""))
        words = ACTIONS.get(action, action) + (f" ({reason})" if reason else "")
        words += f"; labels: {', '.join(labels)}" if labels else ""
    elif event.kind == "automatic_reversed":
        words += f": {detail.get('was')} became {detail.get('now')}"
        words += "; the author's warning withdrawn" if detail.get("warning_withdrawn") else ""
    elif event.kind.startswith("saved_reply_"):
        words += f" ({detail.get('name', '')})"
    elif "warnings" in detail:
        words += f" (warning {detail['warnings']})"
    return str(words)


def entries(
    session: Session,
    *,
    councils: list[str],
    actor: str,
    by: str | None = None,
    kind: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[Entry]:
    events = reviews.audit_events(
        session, councils=councils, actor=actor, by=by or None, kind=kind or None, since=since, until=until
    )
    user_ids = {int(e.actor[5:]) for e in events if e.actor.startswith("user:") and e.actor[5:].isdigit()}
    names = accounts.user_names(session, user_ids=user_ids)
    comment_ids = {_comment_id(e) for e in events} - {None}
    items = reviews.items_of_comments(session, comment_ids={c for c in comment_ids if c is not None})
    out = []
    for event in events:
        comment = _comment_id(event)
        link = f"/review/{items[comment]}" if comment in items else ""
        out.append(Entry(event.at, _who(event.actor, names), _what(event), link))
    return out


def _comment_id(event: Any) -> int | None:
    if event.subject.startswith("comment:") and event.subject[8:].isdigit():
        return int(event.subject[8:])
    found = (event.detail or {}).get("comment_id")
    return int(found) if isinstance(found, int) else None


def officers(session: Session, *, councils: list[str]) -> dict[str, str]:
    """Actor keys ("user:2") and names of the people in these councils, for the officer filter."""
    return {f"user:{user_id}": name for user_id, name in accounts.people_in(session, councils=councils).items()}
