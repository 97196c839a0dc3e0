"""The review queue's rules: claims with expiry, undo as a new event, redaction, bulk targets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.api.conftest import Api
from triage import review
from triage.policy.profile import profile_by_name
from triage.storage import repo
from triage.storage.tables import OfficerDecisionRow, ReviewItemRow, UserRow


def _setup(api: Api):  # type: ignore[no-untyped-def]
    api.post("ring him on 07911 123456 you idiot?", "q1")
    state = api.client.app.state.triage  # type: ignore[attr-defined]
    session = state.sessions()
    item = session.scalar(select(ReviewItemRow))
    users = {u.username: u for u in session.scalars(select(UserRow))}
    return session, item, users


def actor(user: UserRow) -> review.Actor:
    return review.Actor(user.id, user.role, tuple(user.councils))


def decide(session, item, user, now=None, **fields):  # type: ignore[no-untyped-def]
    decision = review.OfficerDecision(**({"action": "remove", "reason_code": "abusive"} | fields))
    return review.decide(
        session,
        item_id=item.id,
        actor=actor(user),
        decision=decision,
        profiles=profile_by_name,
        now=now or datetime.now(UTC),
    )


def test_two_officers_never_hold_the_same_item(api: Api) -> None:
    session, item, users = _setup(api)
    now = datetime.now(UTC)
    review.claim(item, user_id=users["olive"].id, now=now, minutes=10)
    with pytest.raises(review.ReviewError, match="another officer"):
        review.claim(item, user_id=users["mona"].id, now=now + timedelta(minutes=5), minutes=10)
    review.claim(item, user_id=users["mona"].id, now=now + timedelta(minutes=11), minutes=10)  # expired
    session.close()


def test_undo_is_a_new_event_and_reopens_the_item(api: Api) -> None:
    session, item, users = _setup(api)
    now = datetime.now(UTC)
    first = decide(session, item, users["olive"], now=now, labels={"abuse": 1}).decision_ids[0]
    with pytest.raises(review.ReviewError, match="your own"):
        review.undo(session, decision_id=first, actor=actor(users["mona"]), now=now)
    with pytest.raises(review.ReviewError, match="minutes"):
        review.undo(session, decision_id=first, actor=actor(users["olive"]), now=now + timedelta(minutes=6))
    with pytest.raises(review.ItemNotFound):
        review.undo(session, decision_id=first, actor=actor(users["ash"]), now=now)  # another council
    review.undo(session, decision_id=first, actor=actor(users["olive"]), now=now + timedelta(minutes=1))
    rows = list(session.scalars(select(OfficerDecisionRow).order_by(OfficerDecisionRow.id)))
    assert [r.action for r in rows] == ["remove", "undo"] and rows[1].undoes_id == first
    assert item.status == "open"
    session.close()


def test_redaction_removes_only_the_spans() -> None:
    text = "ring him on 07911 123456 you idiot"
    assert review.redacted(text, [{"start": 12, "end": 24, "type": "phone"}]) == "ring him on [phone removed] you idiot"


def test_officers_cannot_block(api: Api) -> None:
    session, item, users = _setup(api)
    with pytest.raises(review.ReviewError, match="managers"):
        decide(session, item, users["olive"], author_action="block")
    assert item.status == "open"  # nothing was recorded
    decide(session, item, users["mona"], author_action="block")
    author = repo.author(session, council="swale", platform="facebook", handle="resident1")
    assert author.blocked and author.appeal_after is None  # swale's profile names no appeal period
    session.close()


def test_a_refused_bulk_decision_records_nothing(api: Api) -> None:
    for n in range(3):
        api.post("ring him on 07911 123456 you idiot?", f"w{n}")
    session, item, users = _setup(api)
    with pytest.raises(review.ReviewError, match="unknown bulk"):
        decide(session, item, users["olive"], bulk="everything")
    outcome = decide(session, item, users["olive"], bulk="duplicates")
    assert len(outcome.decision_ids) == 4 and outcome.decision_ids[0] < outcome.decision_ids[1]
    assert session.scalar(select(ReviewItemRow).where(ReviewItemRow.status == "open")) is None
    session.close()
