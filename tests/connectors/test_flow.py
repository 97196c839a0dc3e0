"""Comments in and actions out against the fake platform: idempotency, live and shadow, edits,
deletions, a worker killed mid-delivery, 429 and 5xx storms, expired tokens, undo."""

from __future__ import annotations

import itertools

import pytest

from tests.connectors.conftest import Rig
from tests.connectors.fake_platform import Scripted
from tests.connectors.payload_samples import body, instagram_comment, page_comment, x_reply
from triage.connectors import connections, inbound, outbox
from triage.storage import connections as store
from triage.storage import outbox as outbox_store
from triage.storage import repo


def deliver(rig: Rig, source: str, payload: dict) -> int:  # type: ignore[type-arg]
    with rig.sessions() as session:
        event_id, _ = inbound.receive(session, source=source, body=body(payload), now=rig.clock())
    return event_id


def outbox_rows(rig: Rig) -> list:  # type: ignore[type-arg]
    with rig.sessions() as session:
        return sorted(outbox_store.rows(session), key=lambda r: r.id)


def test_abusive_comment_on_a_live_page_is_hidden_exactly_once_despite_duplicates(rig: Rig) -> None:
    rig.connect()
    for _ in range(3):  # Meta retries: the same delivery three times, and once more re-serialised
        deliver(rig, "meta", page_comment())
    deliver(rig, "meta", {**page_comment(), "extra": 1})
    rig.worker().run_until_idle()
    assert [c.path for c in rig.fake.writes("hide")] == ["/111_222"]
    assert rig.fake.hidden == {"111_222": True}
    with rig.sessions() as session:
        assert repo.comment_ids_by_external(session, {("swale", "facebook", "111_222")})
        assert [r.status for r in outbox_store.rows(session)] == ["done"]
        assert store.platform_comment(session, platform="facebook", object_id="111_222").state == "hidden"


def test_shadow_mode_sends_nothing_and_records_what_it_would_have_done(rig: Rig) -> None:
    rig.connect(mode="shadow")
    deliver(rig, "meta", page_comment())
    rig.worker().run_until_idle()
    assert rig.fake.writes() == []
    assert [(r.action, r.status) for r in outbox_rows(rig)] == [("hide", "shadow")]


def test_a_harmless_comment_queues_nothing(rig: Rig) -> None:
    rig.connect()
    deliver(rig, "meta", page_comment(text="When is the green bin collected"))
    rig.worker().run_until_idle()
    assert rig.fake.writes() == [] and outbox_rows(rig) == []


def test_instagram_and_x_use_their_own_hide_calls(rig: Rig) -> None:
    rig.connect("instagram", "IG1")
    rig.connect("x", "X1")
    deliver(rig, "meta", instagram_comment())
    deliver(rig, "x", x_reply())
    rig.worker().run_until_idle()
    calls = {(c.api, c.method, c.path, tuple(sorted(c.params.items()))) for c in rig.fake.writes()}
    assert calls == {
        ("meta", "POST", "/17865799348089039", (("hide", "true"),)),
        ("x", "PUT", "/2/tweets/1500/hidden", (("hidden", "true"),)),
    }
    assert all(c.authorization == "Bearer good-token" for c in rig.fake.calls)


def test_a_profile_that_deletes_hides_first_and_x_never_deletes(rig: Rig) -> None:
    rig.connect(council="ashfield")
    rig.connect("x", "X1", council="ashfield")
    deliver(rig, "meta", page_comment())
    deliver(rig, "x", x_reply())
    rig.worker().run_until_idle()
    assert [(c.api, c.method) for c in rig.fake.writes() if c.api == "meta"] == [("meta", "POST"), ("meta", "DELETE")]
    assert [c.method for c in rig.fake.writes() if c.api == "x"] == ["PUT"]


def test_an_allowed_comment_edited_into_abuse_is_caught_and_the_old_revision_leaves_the_queue(rig: Rig) -> None:
    rig.connect()
    deliver(rig, "meta", page_comment(text="Lovely park, thank you"))
    rig.worker().run_until_idle()
    assert rig.fake.writes() == []
    deliver(rig, "meta", page_comment(text="You are an idiot", verb="edited"))
    deliver(rig, "meta", page_comment(text="You are an idiot", verb="edited"))  # duplicate edit
    rig.worker().run_until_idle()
    assert len(rig.fake.writes("hide")) == 1
    with rig.sessions() as session:
        target = store.platform_comment(session, platform="facebook", object_id="111_222")
        assert target.revisions == 2 and target.state == "hidden"


def test_a_review_item_is_withdrawn_when_the_author_deletes_the_comment(rig: Rig) -> None:
    rig.connect()
    rig.scorer.fail = True  # the model is down: the comment goes to a human
    deliver(rig, "meta", page_comment(text="Anything"))
    rig.worker().run_until_idle()
    with rig.sessions() as session:
        comment_id = store.platform_comment(session, platform="facebook", object_id="111_222").comment_id
        assert repo.review_item_of(session, comment_id=comment_id).status == "open"
    deliver(rig, "meta", page_comment(verb="remove"))
    rig.worker().run_until_idle()
    with rig.sessions() as session:
        assert repo.review_item_of(session, comment_id=comment_id).status == "withdrawn"
        assert store.platform_comment(session, platform="facebook", object_id="111_222").state == "deleted"
    assert rig.fake.writes() == []


class Killed(BaseException):
    """The process dies: nothing after this point runs."""


def test_a_worker_killed_between_the_answer_and_the_update_hides_once_in_effect(rig: Rig) -> None:
    rig.connect()
    deliver(rig, "meta", page_comment())

    def die(outbox_id: int, answer: object) -> None:
        raise Killed

    with pytest.raises(Killed):
        rig.worker(after_answer=die).run_until_idle()
    assert [r.status for r in outbox_rows(rig)] == ["in_flight"]
    rig.worker().run_until_idle()  # a new worker waits out the dead one's lease, then sends again
    assert len(rig.fake.writes("hide")) == 2 and rig.fake.hidden == {"111_222": True}
    assert [r.status for r in outbox_rows(rig)] == ["done"]


def test_a_429_storm_ends_in_delivery_after_waiting_what_the_platform_asked(rig: Rig) -> None:
    rig.connect()
    usage = '{"1234": [{"type": "pages", "call_count": 100, "estimated_time_to_regain_access": 2}]}'
    rig.fake.script = [
        Scripted(429, {"Retry-After": "30"}),
        Scripted(400, {"X-Business-Use-Case-Usage": usage}, {"error": {"code": 80001, "message": "rate"}}),
        Scripted(429, {"Retry-After": "30"}),
    ]
    deliver(rig, "meta", page_comment())
    rig.worker().run_until_idle()
    assert len(rig.fake.writes("hide")) == 4 and rig.fake.hidden == {"111_222": True}
    assert sum(rig.clock.slept) >= 30 + 120 + 30 and len(rig.clock.slept) <= 6
    [row] = outbox_rows(rig)
    assert row.status == "done" and row.attempts == 0  # rate limits are waits, not failures


def test_x_rate_limit_reset_is_honoured(rig: Rig) -> None:
    rig.connect("x", "X1")
    reset = str(int(rig.clock().timestamp()) + 300)
    rig.fake.script = [Scripted(429, {"x-rate-limit-reset": reset, "x-rate-limit-remaining": "0"})]
    deliver(rig, "x", x_reply())
    rig.worker().run_until_idle()
    assert len(rig.fake.writes("hide")) == 2 and sum(rig.clock.slept) >= 300


def test_a_5xx_storm_backs_off_exponentially_then_delivers(rig: Rig) -> None:
    rig.connect()
    rig.fake.script = [Scripted(503)] * 5
    deliver(rig, "meta", page_comment())
    rig.worker().run_until_idle()
    assert len(rig.fake.writes("hide")) == 6 and rig.fake.hidden == {"111_222": True}
    waits = rig.clock.slept
    assert len(waits) == 5 and all(later > earlier for earlier, later in itertools.pairwise(waits))
    assert waits[0] >= 1.0


def test_endless_5xx_ends_in_the_dead_letters_and_retry_sends_it(rig: Rig) -> None:
    rig.connect()
    rig.fake.script = [Scripted(500)] * 3
    deliver(rig, "meta", page_comment())
    rig.worker(max_attempts=3).run_until_idle()
    [row] = outbox_rows(rig)
    assert row.status == "dead" and row.last_error == "HTTP 500"
    with rig.sessions() as session:
        assert outbox.retry_dead(session, now=rig.clock(), outbox_id=row.id) == 1
    rig.worker().run_until_idle()
    assert [r.status for r in outbox_rows(rig)] == ["done"]


def test_an_expired_token_stops_the_connection_until_resumed(rig: Rig) -> None:
    connection_id = rig.connect()
    rig.environ["FB_TOKEN"] = "expired-token"
    deliver(rig, "meta", page_comment())
    deliver(rig, "meta", page_comment(comment_id="111_333"))
    rig.worker().run_until_idle()
    assert len(rig.fake.writes()) == 1  # the first refusal stops the connection: no tight loop
    with rig.sessions() as session:
        [view] = connections.listing(session)
        assert view.status == "token_invalid" and "resume --id" in view.what_to_do
        assert {r.status for r in outbox_store.rows(session)} == {"pending"}
    rig.environ["FB_TOKEN"] = "good-token"
    with rig.sessions() as session:
        connections.resume(session, connection_id=connection_id, actor="admin", now=rig.clock())
    rig.worker().run_until_idle()
    assert set(rig.fake.hidden) == {"111_222", "111_333"}
    assert "expired-token" not in repr(outbox_rows(rig))


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


def test_backfill_pages_through_posts_and_comments_once(rig: Rig) -> None:
    from datetime import timedelta

    from triage.connectors.backfill import backfill
    from triage.connectors.platforms import HttpPlatforms

    rig.connect()
    rig.connect("x", "X1")
    stamp = "2026-03-10T09:00:00+0000"
    rig.fake.feed["PAGE1"] = [{"id": f"post{p}", "created_time": stamp} for p in range(3)]
    for p in range(3):
        rig.fake.comments[f"post{p}"] = [
            {
                "id": f"c{p}-{n}",
                "message": f"Post {p}: you idiot" if n == 0 else f"Nice {p}",
                "from": {"id": f"9{p}{n}"},
                "created_time": stamp,
            }
            for n in range(3)
        ]
    rig.fake.mentions["X1"] = [
        {
            "id": f"t{n}",
            "text": "hello",
            "author_id": "5",
            "in_reply_to_user_id": "X1",
            "created_at": "2026-03-10T09:00:00.000Z",
        }
        for n in range(3)
    ]
    platforms = HttpPlatforms(rig.fake.meta_url, rig.fake.x_url, clock=rig.clock)
    since = rig.clock() - timedelta(days=2)
    for _ in range(2):  # a second run (after an outage) stores nothing twice
        seen = backfill(
            rig.sessions, rig.intake, platforms, council="swale", since=since, now=rig.clock(), environ=rig.environ
        )
    assert sorted(seen.values()) == [3, 9]
    rig.worker().run_until_idle()
    assert sorted(c.path for c in rig.fake.writes("hide")) == ["/c0-0", "/c1-0", "/c2-0"]
    assert not any("elsewhere" in c.path for c in rig.fake.calls)


def test_an_officers_decision_writes_its_action_in_the_same_transaction_and_undo_unhides(rig: Rig) -> None:
    from triage import review
    from triage.policy.profile import profile_by_name
    from triage.storage.accounts import create_user

    rig.connect()
    rig.scorer.fail = True  # the model is down: the comment waits for an officer
    deliver(rig, "meta", page_comment(text="Something the model could not read"))
    rig.worker().run_until_idle()
    with rig.sessions() as session:
        user = create_user(
            session,
            username="olive",
            password="correct horse battery",
            role="manager",
            councils=["swale"],
            now=rig.clock(),
        )
        session.commit()
        comment_id = store.platform_comment(session, platform="facebook", object_id="111_222").comment_id
        item = repo.review_item_of(session, comment_id=comment_id)
        actor = review.Actor(user_id=user.id, role="manager", councils=("swale",))
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
