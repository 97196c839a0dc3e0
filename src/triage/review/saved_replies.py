"""Saved replies: a council's officers save a reply under a name and pick it on the item page
beside the suggested one. Scoped to the person's councils; every change audited and committed."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy.orm import Session

from triage.review.queue import ItemNotFound, ReviewError
from triage.storage import repo
from triage.storage import saved_replies as store
from triage.storage.saved_replies import SavedReply

MAX_NAME, MAX_TEXT = 100, 2000  # the name column's size; a reply's limit, as for a decision's reply


def _clean(name: str, text: str) -> tuple[str, str]:
    """Refused with a message, never by the database (PostgreSQL rejects NUL and long values)."""
    name, text = " ".join(name.split()), text.strip()
    if not name or len(name) > MAX_NAME:
        raise ReviewError(f"a saved reply's name has 1 to {MAX_NAME} characters")
    if not text or len(text) > MAX_TEXT:
        raise ReviewError(f"a saved reply has 1 to {MAX_TEXT} characters of text")
    if "\x00" in name + text:
        raise ReviewError("a saved reply must not contain NUL characters")
    return name, text


def listing(session: Session, *, councils: Collection[str], council: str | None = None) -> list[SavedReply]:
    """The saved replies of these councils (of one of them, when `council` is given), by name."""
    if council is not None:
        return store.of_councils(session, councils=[council]) if council in councils else []
    return store.of_councils(session, councils=councils)


def save(
    session: Session, *, council: str, name: str, text: str, actor: str, councils: Collection[str], now: datetime
) -> SavedReply:
    """Save a reply for one of the person's councils; the same name again replaces its text."""
    if council not in councils:
        raise ItemNotFound(f"you do not serve the council {council!r}")
    name, text = _clean(name, text)
    row, new = store.put(session, council=council, name=name, text=text, actor=actor, now=now)
    _audit(session, row, actor, "saved_reply_added" if new else "saved_reply_changed", now)
    session.commit()
    return row


def delete(session: Session, *, reply_id: int, actor: str, councils: Collection[str], now: datetime) -> str:
    """Delete one of the person's councils' saved replies; returns its name."""
    row = store.get(session, reply_id=reply_id, councils=councils)
    if row is None:
        raise ItemNotFound(f"no saved reply {reply_id} in your councils")
    _audit(session, row, actor, "saved_reply_deleted", now)
    store.delete(session, row=row)
    session.commit()
    return row.name


def _audit(session: Session, row: SavedReply, actor: str, kind: str, now: datetime) -> None:
    repo.audit(
        session,
        actor=actor,
        kind=kind,
        subject=f"saved_reply:{row.id}",
        council=row.council,
        detail={"name": row.name},
        now=now,
    )
