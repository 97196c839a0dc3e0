"""An officer's reply goes out through the connection the comment came in on: posted once on a live
connection, recorded as "would reply" in shadow mode, written in the decision's own transaction."""

from __future__ import annotations

import pytest

from tests.connectors.conftest import Rig, profile_for, swale_officer
from triage import review
from triage.connectors import inbound, outbox
from triage.connectors.sample_payloads import body, page_comment, x_reply
from triage.storage import connections as store
from triage.storage import outbox as outbox_store
from triage.storage import repo

ANSWER = "The tip is open 8 till 4 every day."


def _arrive(rig: Rig, source: str, payload: dict, platform: str, object_id: str) -> int:  # type: ignore[type-arg]
    with rig.sessions() as session:
        inbound.receive(session, source=source, body=body(payload), now=rig.clock())
    rig.worker().run_until_idle()
    with rig.sessions() as session:
        found = store.platform_comment(session, platform=platform, object_id=object_id)
        assert found is not None
        return found.comment_id


def _decide(rig: Rig, comment_id: int, action: str, reply: str) -> review.ReviewOutcome:
    with rig.sessions() as session:
        actor = swale_officer(rig, session, role="officer")
        item = repo.review_item_of(session, comment_id=comment_id)
        assert item is not None and item.status == "open"
        return review.decide(
            session,
            item_id=item.id,
            actor=actor,
            decision=review.OfficerDecision(action=action, reply=reply),
            profiles=profile_for,
            now=rig.clock(),
        )


def _replies_in_outbox(rig: Rig) -> list[tuple[str, str]]:
    with rig.sessions() as session:
        return [(r.status, r.reply_text or "") for r in outbox_store.rows(session) if r.action == "reply"]


def test_a_reply_on_a_live_connection_is_posted_exactly_once(rig: Rig) -> None:
    rig.connect()
    comment_id = _arrive(rig, "meta", page_comment(text="When is the tip open?"), "facebook", "111_222")
    with rig.sessions() as session:
        assert outbox.reply_channel(session, comment_id=comment_id) == ("facebook", "live")
    _decide(rig, comment_id, "respond", ANSWER)
    assert _replies_in_outbox(rig) == [("pending", ANSWER)]  # committed with the decision
    rig.worker().run_until_idle()
    rig.worker().run_until_idle()  # a second worker round sends nothing again
    assert rig.fake.replies == [("111_222", ANSWER)]
    assert _replies_in_outbox(rig) == [("done", ANSWER)]


def test_a_reply_on_a_shadow_connection_is_recorded_and_not_sent(rig: Rig) -> None:
    rig.connect(mode="shadow")
    comment_id = _arrive(rig, "meta", page_comment(text="When is the tip open?"), "facebook", "111_222")
    with rig.sessions() as session:
        assert outbox.reply_channel(session, comment_id=comment_id) == ("facebook", "shadow")
    _decide(rig, comment_id, "respond", ANSWER)
    rig.worker().run_until_idle()
    assert rig.fake.replies == []
    assert _replies_in_outbox(rig) == [("shadow", ANSWER)]  # "would reply"


def test_only_a_respond_decision_posts_its_reply(rig: Rig) -> None:
    rig.connect()
    comment_id = _arrive(rig, "meta", page_comment(text="When is the tip open?"), "facebook", "111_222")
    _decide(rig, comment_id, "allow", ANSWER)  # the suggested reply was left in the box
    rig.worker().run_until_idle()
    assert rig.fake.replies == [] and _replies_in_outbox(rig) == []


def test_undoing_the_decision_before_delivery_cancels_the_reply(rig: Rig) -> None:
    rig.connect()
    comment_id = _arrive(rig, "meta", page_comment(text="When is the tip open?"), "facebook", "111_222")
    outcome = _decide(rig, comment_id, "respond", ANSWER)
    with rig.sessions() as session:
        actor = review.Actor(user_id=1, role="officer", councils=("swale",))
        review.undo(session, decision_id=outcome.decision_ids[0], actor=actor, now=rig.clock())
    rig.worker().run_until_idle()
    assert rig.fake.replies == [] and _replies_in_outbox(rig) == [("cancelled", ANSWER)]


def test_a_reply_too_long_for_the_platform_leaves_no_decision(rig: Rig) -> None:
    rig.connect("x", "X1")
    comment_id = _arrive(rig, "x", x_reply(text="@council when is the tip open?"), "x", "1500")
    with pytest.raises(review.ReviewError, match="1 to 280 characters on x"):
        _decide(rig, comment_id, "respond", "a" * 281)
    with rig.sessions() as session:
        item = repo.review_item_of(session, comment_id=comment_id)
        assert item is not None and item.status == "open"  # the decision and the reply fail together
        assert repo.officer_decisions_of(session, comment_id=comment_id) == []
    assert _replies_in_outbox(rig) == []
