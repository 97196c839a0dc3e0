"""Actions out against the fake platform when things go wrong: a worker killed mid-delivery, 429
and 5xx storms, dead letters and their retry, expired tokens."""

from __future__ import annotations

import itertools

import pytest

from tests.connectors.conftest import Rig, deliver, outbox_rows
from triage.connectors import connections, outbox
from triage.connectors.fake_platform import Scripted
from triage.connectors.sample_payloads import page_comment, x_reply
from triage.storage import outbox as outbox_store
from triage.storage import reviews


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
        assert outbox.retry_dead(session, now=rig.clock(), outbox_id=row.id, actor="test") == 1
        retried = reviews.audit_events(session, councils=["swale"], actor="test", kind="dead_letter_retried")
        assert [event.actor for event in retried] == ["test"]  # every retry is audited, whoever asks
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
