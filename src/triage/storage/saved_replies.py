"""Storage for saved replies: a council's named reply texts."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from triage.storage.tables import SavedReplyRow

# The row type callers outside storage may name in annotations (they never build or query it).
SavedReply = SavedReplyRow


def of_councils(session: Session, *, councils: Collection[str]) -> list[SavedReplyRow]:
    query = select(SavedReplyRow).where(SavedReplyRow.council.in_(list(councils)))
    return list(session.scalars(query.order_by(SavedReplyRow.council, SavedReplyRow.name)))


def get(session: Session, *, reply_id: int, councils: Collection[str]) -> SavedReplyRow | None:
    row = session.get(SavedReplyRow, reply_id)
    return row if row is not None and row.council in councils else None


def put(
    session: Session, *, council: str, name: str, text: str, actor: str, now: datetime
) -> tuple[SavedReplyRow, bool]:
    """Add the reply, or replace the text of the council's reply of that name; True when new."""
    row = session.scalars(
        select(SavedReplyRow).where(SavedReplyRow.council == council, SavedReplyRow.name == name)
    ).first()
    if row is not None:
        row.text, row.updated_by, row.updated_at = text, actor, now
        return row, False
    row = SavedReplyRow(council=council, name=name, text=text, updated_by=actor, created_at=now, updated_at=now)
    session.add(row)
    session.flush()
    return row, True


def delete(session: Session, *, row: SavedReplyRow) -> None:
    session.delete(row)
