"""Officers' actions on the platform: a decision's action written in its transaction, undo
unhides, replies are posted once, and reversing what the service did on its own."""

from __future__ import annotations

import pytest

from tests.connectors.conftest import Rig, deliver, profile_for, swale_officer
from triage import review
from triage.connectors import inbound, outbox
from triage.connectors.sample_payloads import body, page_comment
from triage.policy.profile import profile_by_name
from triage.review.automatic import reverse
from triage.storage import connections as store
from triage.storage import outbox as outbox_store
from triage.storage import repo


def test_officer_remove_then_undo_unhides(rig: Rig) -> None:
    rig.connect()
    deliver(rig, "meta", page_comment(text="A perfectly ordinary remark"))
    rig.worker().run_until_idle()
    with rig.sessions() as session:
        comment_id = store.platform_comment(session, platform="facebook", object_id="111_222").comment_id
        outbox.enqueue_for_decision(
            session, comment_id=comment_id, action="remove", decision_id=41, profile=None, now=rig.clock()
        )
        session.commit()
    rig.worker().run_until_idle()
    assert rig.fake.hidden == {"111_222": True}
    with rig.sessions() as session:
        outbox.enqueue_for_undo(session, comment_id=comment_id, undoes_id=41, now=rig.clock())
        session.commit()
    rig.worker().run_until_idle()
    assert [c.params for c in rig.fake.writes()] == [{"is_hidden": "true"}, {"is_hidden": "false"}]
    assert rig.fake.hidden == {"111_222": False}


def test_an_officer_reply_is_posted_under_the_comment(rig: Rig) -> None:
    rig.connect()
    deliver(rig, "meta", page_comment(text="When is the tip open?"))
    rig.worker().run_until_idle()
    with rig.sessions() as session:
        comment_id = store.platform_comment(session, platform="facebook", object_id="111_222").comment_id
        outbox.enqueue_reply(session, comment_id=comment_id, text="Open 8 till 4 daily.", key="form-1", now=rig.clock())
        outbox.enqueue_reply(session, comment_id=comment_id, text="Open 8 till 4 daily.", key="form-1", now=rig.clock())
        session.commit()
    rig.worker().run_until_idle()
    assert rig.fake.replies == [("111_222", "Open 8 till 4 daily.")]


def test_an_officers_decision_writes_its_action_in_the_same_transaction_and_undo_unhides(rig: Rig) -> None:
    rig.connect()
    rig.scorer.fail = True  # the model is down: the comment waits for an officer
    deliver(rig, "meta", page_comment(text="Something the model could not read"))
    rig.worker().run_until_idle()
    with rig.sessions() as session:
        actor = swale_officer(rig, session)
        session.commit()
        comment_id = store.platform_comment(session, platform="facebook", object_id="111_222").comment_id
        item = repo.review_item_of(session, comment_id=comment_id)
        refused = review.OfficerDecision(action="remove", reason_code="x" * 65)  # too long: refused whole
        with pytest.raises(review.ReviewError):
            review.decide(
                session, item_id=item.id, actor=actor, decision=refused, profiles=profile_by_name, now=rig.clock()
            )
        assert outbox_store.rows(session) == []  # a refused decision leaves no action behind
        made = review.decide(
            session,
            item_id=item.id,
            actor=actor,
            decision=review.OfficerDecision(action="remove", reason_code="abuse"),
            profiles=lambda _: profile_by_name("swale"),
            now=rig.clock(),
        )
        decision_id = made.decision_ids[0]
    rig.worker().run_until_idle()
    assert rig.fake.hidden == {"111_222": True}
    with rig.sessions() as session:
        review.undo(session, decision_id=decision_id, actor=actor, now=rig.clock())
    rig.worker().run_until_idle()
    assert rig.fake.hidden == {"111_222": False}
    assert [c.params["is_hidden"] for c in rig.fake.writes()] == ["true", "false"]


def test_an_officer_reversing_an_automatic_removal_unhides_it(rig: Rig) -> None:
    rig.connect()
    with rig.sessions() as session:
        inbound.receive(session, source="meta", body=body(page_comment()), now=rig.clock())  # abusive
    rig.worker().run_until_idle()
    assert rig.fake.hidden == {"111_222": True}  # swale removes it on its own
    with rig.sessions() as session:
        actor = swale_officer(rig, session)
        comment_id = store.platform_comment(session, platform="facebook", object_id="111_222").comment_id
        automatic = repo.decisions_of(session, comment_id=comment_id)[-1]
        reverse(session, decision_id=automatic.id, actor=actor, now=rig.clock(), profiles=profile_for)
    rig.worker().run_until_idle()
    assert rig.fake.hidden == {"111_222": False}
