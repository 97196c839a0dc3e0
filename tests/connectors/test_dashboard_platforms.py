"""The dashboard shows connections that stopped (with what to do) and the platform actions that
failed; only an administrator sees and uses the buttons to resume and to send again."""

from __future__ import annotations

import re
from contextlib import contextmanager

from tests.api.conftest import PASSWORD, Api, make_api
from tests.conftest import FakeScorer
from tests.connectors.conftest import Rig, profile_for
from triage import dashboard, review
from triage.connectors import inbound
from triage.connectors.fake_platform import Scripted
from triage.connectors.sample_payloads import body, page_comment, x_reply
from triage.storage import connections as store
from triage.storage import outbox as outbox_store
from triage.storage import repo
from triage.storage.accounts import create_user

ANSWER = "The tip is open 8 till 4 every day."


def _troubles(rig: Rig) -> None:
    """A reply the platform refuses (a dead letter) and an X connection whose token has expired."""
    rig.connect()
    rig.connect("x", "X1")
    rig.environ["X_TOKEN"] = "expired-token"
    with rig.sessions() as session:
        inbound.receive(session, source="meta", body=body(page_comment(text="When is the tip open?")), now=rig.clock())
        inbound.receive(session, source="x", body=body(x_reply(text="@council you idiot")), now=rig.clock())
    rig.worker().run_until_idle()
    with rig.sessions() as session:
        user = create_user(
            session, username="rita", password=PASSWORD, role="officer", councils=["swale"], now=rig.clock()
        )
        comment_id = store.platform_comment(session, platform="facebook", object_id="111_222").comment_id
        item = repo.review_item_of(session, comment_id=comment_id)
        review.decide(
            session,
            item_id=item.id,
            actor=review.Actor(user_id=user.id, role="officer", councils=("swale",)),
            decision=review.OfficerDecision(action="respond", reply=ANSWER),
            profiles=profile_for,
            now=rig.clock(),
        )
    rig.fake.script = [Scripted(400, body={"error": {"code": 100, "message": "Invalid parameter"}})]
    rig.worker().run_until_idle()


@contextmanager
def _site(rig: Rig, database_url: str):  # type: ignore[no-untyped-def]
    pages = contextmanager(make_api)(database_url, FakeScorer(), connector_worker=False)
    with pages as api, rig.sessions() as session:
        create_user(session, username="ada", password=PASSWORD, role="admin", councils=["swale"], now=rig.clock())
        session.commit()
        yield api


def _sign_in(api: Api, username: str) -> str:
    api.client.cookies.clear()
    token = re.search(r'name="csrf" value="([^"]+)"', api.client.get("/login").text).group(1)  # type: ignore[union-attr]
    api.client.post("/login", data={"username": username, "password": PASSWORD, "csrf": token})
    return token


def test_the_figures_list_stopped_connections_and_dead_letters(rig: Rig) -> None:
    _troubles(rig)
    with rig.sessions() as session:
        problems = dashboard.platform_problems(session, councils=["swale"])
        elsewhere = dashboard.platform_problems(session, councils=["ashfield"])
    [stopped] = problems["stopped"]
    assert stopped.platform == "x" and stopped.status == "token_invalid"
    assert "issue a new one" in stopped.what_to_do and f"resume --id {stopped.id}" in stopped.what_to_do
    [dead] = problems["dead_letters"]
    assert dead["action"] == "reply" and "error 100" in dead["last_error"]
    assert elsewhere == {"stopped": [], "dead_letters": []}


def test_only_an_admin_gets_the_buttons_and_sending_again_posts_the_reply_once(rig: Rig, database_url: str) -> None:
    _troubles(rig)
    with _site(rig, database_url) as api:
        _sign_in(api, "mona")
        page = api.client.get("/dashboard").text
        assert "have stopped: its token has expired or was revoked" in page and "issue a new one" in page
        assert 'id="dead-letters"' in page and "Send again" not in page and "Resume deliveries" not in page
        with rig.sessions() as session:
            [dead_id] = [row.id for row in outbox_store.rows(session, status="dead")]
        token = _sign_in(api, "mona")
        refused = api.client.post(f"/dashboard/outbox/{dead_id}/retry", data={"csrf": token})
        assert refused.status_code == 403
        token = _sign_in(api, "ada")
        page = api.client.get("/dashboard").text
        assert "Send again" in page and "Resume deliveries" in page
        assert f'action="/dashboard/outbox/{dead_id}/retry"' in page
        done = api.client.post(f"/dashboard/outbox/{dead_id}/retry", data={"csrf": token})
        assert "Sent again" in done.text
        connection_id = int(re.search(r'action="/dashboard/connections/(\d+)/resume"', page).group(1))  # type: ignore[union-attr]
        rig.environ["X_TOKEN"] = "good-token"
        assert (
            "Deliveries resumed"
            in api.client.post(f"/dashboard/connections/{connection_id}/resume", data={"csrf": token}).text
        )
        assert "sent a failed platform action again" in api.client.get("/audit").text.lower()
    rig.worker().run_until_idle()
    rig.worker().run_until_idle()
    assert rig.fake.replies == [("111_222", ANSWER)]  # refused once, then sent once
    assert rig.fake.hidden == {"1500": True}  # the X connection delivers again
    with rig.sessions() as session:
        assert outbox_store.rows(session, status="dead") == []
