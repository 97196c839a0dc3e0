"""The review queue's rules: claims with expiry, undo as a new event, redaction, bulk targets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.api.conftest import Api
from triage import review
from triage.storage.tables import OfficerDecisionRow, ReviewItemRow, UserRow


def _setup(api: Api):  # type: ignore[no-untyped-def]
    api.post("ring him on 07911 123456 you idiot?", "q1")
    state = api.client.app.state.triage  # type: ignore[attr-defined]
    session = state.sessions()
    item = session.scalar(select(ReviewItemRow))
    users = {u.username: u for u in session.scalars(select(UserRow))}
    return session, item, users


def test_two_officers_never_hold_the_same_item(api: Api) -> None:
    session, item, users = _setup(api)
    now = datetime.now(UTC)
    review.claim(session, item=item, user_id=users["olive"].id, now=now, minutes=10)
    with pytest.raises(review.ReviewError, match="another officer"):
        review.claim(session, item=item, user_id=users["mona"].id, now=now + timedelta(minutes=5), minutes=10)
    review.claim(session, item=item, user_id=users["mona"].id, now=now + timedelta(minutes=11), minutes=10)  # expired
    session.close()


def test_undo_is_a_new_event_and_reopens_the_item(api: Api) -> None:
    session, item, users = _setup(api)
    now = datetime.now(UTC)
    first = review.record_decision(session, item=item, user_id=users["olive"].id, role="officer", action="remove",
                                   labels={"abuse": 1}, reason_code="abusive", note="", now=now)  # fmt: skip
    with pytest.raises(review.ReviewError, match="your own"):
        review.undo(session, decision=first, user_id=users["mona"].id, now=now)
    with pytest.raises(review.ReviewError, match="minutes"):
        review.undo(session, decision=first, user_id=users["olive"].id, now=now + timedelta(minutes=6))
    review.undo(session, decision=first, user_id=users["olive"].id, now=now + timedelta(minutes=1))
    rows = list(session.scalars(select(OfficerDecisionRow).order_by(OfficerDecisionRow.id)))
    assert [r.action for r in rows] == ["remove", "undo"] and rows[1].undoes_id == first.id
    assert item.status == "open"
    session.close()


def test_redaction_removes_only_the_spans() -> None:
    text = "ring him on 07911 123456 you idiot"
    assert review.redacted(text, [{"start": 12, "end": 24, "type": "phone"}]) == "ring him on [phone removed] you idiot"


def test_officers_cannot_block(api: Api) -> None:
    session, item, users = _setup(api)
    from triage.storage.tables import CommentRow

    comment = session.get(CommentRow, item.comment_id)
    with pytest.raises(review.ReviewError, match="managers"):
        review.apply_author_action(session, item=item, comment=comment, action="block", role="officer", appeal_months=12,
                                   user_id=users["olive"].id, now=datetime.now(UTC))  # fmt: skip
    review.apply_author_action(session, item=item, comment=comment, action="block", role="manager", appeal_months=12,
                               user_id=users["mona"].id, now=datetime.now(UTC))  # fmt: skip
    from triage.storage import repo

    author = repo.author(session, council="swale", platform="facebook", handle="resident1")
    assert author.blocked and author.appeal_after is not None
    session.close()
