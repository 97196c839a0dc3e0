"""What the webhook load run checks once everything settled: each comment stored once, each
platform action delivered once in effect (the fake platform's call log against the outbox)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from triage.connectors.fake_platform import FakePlatform, action_and_object
from triage.storage import connections as connection_store
from triage.storage import outbox as outbox_store
from triage.storage import repo
from triage.storage.db import Database


class Delivered(Protocol):
    object_id: str


@dataclass(frozen=True)
class Checked:
    comments: int  # distinct comments acknowledged
    stored: int
    lost_comments: int
    doubled_comments: int
    duplicates_absorbed: int
    delivered: int
    lost_actions: int
    doubled_actions: int
    wrong_in_effect: int
    calls: int
    resent: int
    interrupted: int
    by_action: dict[str, int] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        lost = self.lost_comments + self.lost_actions
        return (
            not (lost or self.doubled_comments or self.doubled_actions or self.wrong_in_effect) and self.delivered > 0
        )


def _open(database_url: str) -> Database:
    return Database.open(database_url, upgrade=False)


def settled(database_url: str) -> bool:
    """No delivery waits to be processed and no action waits to be sent."""
    database = _open(database_url)
    with database.sessions() as session:
        inbound = connection_store.inbound_counts(session)
        waiting = outbox_store.next_due(session)
    database.close()
    return not inbound.get("pending") and not inbound.get("processing") and waiting is None


def in_flight(database_url: str) -> set[int]:
    """Actions claimed by a worker and not settled: after a kill, the ones it held."""
    database = _open(database_url)
    with database.sessions() as session:
        held = {row.id for row in outbox_store.rows(session, status="in_flight", limit=100_000)}
    database.close()
    return held


def check(
    database_url: str, run: str, acknowledged: Sequence[Delivered], fake: FakePlatform, interrupted: set[int]
) -> Checked:
    database = _open(database_url)
    with database.sessions() as session:
        copies = repo.copies_by_external_id(session, prefix=run)
        actions = [(row.id, row.action, row.status, obj) for row, _, obj in outbox_store.with_objects(session)]
    database.close()
    wanted = {d.object_id for d in acknowledged}
    calls = Counter(action_and_object(call) for call in fake.writes())
    sent_once = Counter((action, obj) for _, action, _, obj in actions)
    lost_actions = [a for a in actions if a[2] != "done" or calls[(a[1], a[3])] == 0]
    repeated = [a for a in actions if calls[(a[1], a[3])] > 1]
    unasked = [key for key in calls if key not in sent_once]  # a call no action asked for
    return Checked(
        comments=len(wanted),
        stored=sum(copies.values()),
        lost_comments=sum(1 for object_id in wanted if copies.get(object_id, 0) == 0),
        doubled_comments=sum(1 for count in copies.values() if count > 1),
        duplicates_absorbed=len(acknowledged) - sum(min(copies.get(o, 0), 1) for o in wanted),
        delivered=len(actions) - len(lost_actions),
        lost_actions=len(lost_actions),
        doubled_actions=sum(1 for a in repeated if a[0] not in interrupted)
        + len(unasked)
        + sum(1 for n in sent_once.values() if n > 1),
        wrong_in_effect=_wrong_in_effect(actions, fake),
        calls=sum(calls.values()),
        resent=sum(1 for a in repeated if a[0] in interrupted),
        interrupted=len(interrupted),
        by_action=dict(Counter(action for _, action, _, _ in actions)),
    )


def _wrong_in_effect(actions: list[tuple[int, str, str, str]], fake: FakePlatform) -> int:
    """Objects whose state on the platform is not what their last hide or unhide asked for."""
    last = {obj: action for _, action, _, obj in actions if action in ("hide", "unhide")}
    return sum(1 for obj, action in last.items() if fake.hidden.get(obj) != (action == "hide"))
