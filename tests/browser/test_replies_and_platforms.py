"""Saved replies, replies through a connection and the dashboard's platform problems in Chromium
(issues 15 and 16): saved on an item and used beside the suggested reply, keyboard and axe checked."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, axe_violations, live_server, shot, signed_in
from tests.conftest import FakeScorer
from triage.connectors import connections
from triage.storage import connections as store
from triage.storage import outbox as outbox_store
from triage.storage import repo
from triage.storage.accounts import create_user

pytestmark = pytest.mark.browser

SEED = [("asker", "When is the tip open?"), ("resident", "Why are the bins late?"), ("fan", "lovely park")]
TIP_HOURS = "The tip is open 8 till 4 every day, bank holidays included."


def _connection(session: Any, platform: str, account: str, now: datetime) -> Any:
    view = connections.add(
        session, council="swale", platform=platform, account_id=account, token_env="T", mode="live", actor="t", now=now
    )
    return store.connection_by_id(session, connection_id=view.id)


def _connect(app: Any) -> None:
    """The bins question came through a live Facebook connection; one reply to it failed for good;
    an X connection's token expired."""
    now = datetime.now(UTC)
    with app.state.triage.sessions() as session:
        create_user(session, username="ada", password=PASSWORD, role="admin", councils=["swale"], now=now)
        live, x = _connection(session, "facebook", "PAGE1", now), _connection(session, "x", "X1", now)
        comment = repo.find_comment(session, council="swale", platform="facebook", external_id="ui1")
        target = store.note_platform_comment(
            session, connection=live, object_id=comment.external_id, comment_id=comment.id, now=now
        )
        outbox_store.add(
            session,
            connection_id=live.id,
            platform_comment_id=target.id,
            comment_id=comment.id,
            action="reply",
            cause="reply:t",
            dedup_key="t",
            status="dead",
            now=now,
            reply_text="Sorry",
        )
        connections.stop(session, row=x, status="token_invalid", detail="HTTP 401", now=now)
        session.commit()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    with live_server(tmp_path_factory.mktemp("replies") / "replies.db", FakeScorer(), SEED) as running:
        _connect(running[1])
        yield running


def _open(page: Any, url: str, text: str) -> str:
    page.goto(f"{url}/respond")
    page.locator("tbody tr a", has_text=text).click()
    page.wait_for_url(f"{url}/review/*")
    return str(page.url)


def test_a_saved_reply_is_saved_on_an_item_and_used_beside_the_suggested_one(
    server: tuple[str, Any], browser: Any
) -> None:
    url, _ = server
    page = signed_in(browser, url, "olive")
    item_url = _open(page, url, "tip open")
    assert "Copy this reply" in page.locator("#reply-route").inner_text()
    page.locator("#reply").fill(TIP_HOURS)
    page.get_by_text("Save this reply for swale").click()
    page.get_by_label("Name for the saved reply").fill("Tip opening hours")
    page.keyboard.press("Enter")  # Enter in the name saves the reply: it never decides the item
    page.wait_for_url(lambda u: "saved=" in u)
    assert "Saved the reply" in page.locator("#flash").inner_text()
    assert page.locator("#decide-form").count() == 1  # still open
    assert page.locator("#reply").input_value() == TIP_HOURS
    page.locator("#reply").fill("Something else")
    page.get_by_label("Or start from one of swale's saved replies").select_option(label="Tip opening hours")
    page.get_by_role("button", name="Use this reply").click()
    expect(page.locator("#reply")).to_have_value(TIP_HOURS)
    expect(page.locator("#copy-status")).to_contain_text("saved reply Tip opening hours")
    assert "saved=" in page.url  # filled in place, no reload
    page.get_by_text("Save this reply for swale").click()
    shot(page, "item-saved-reply")
    assert axe_violations(page) == []
    page.locator("#action-respond").check()
    page.get_by_role("button", name="Decide").click()
    page.wait_for_url(lambda u: not u.startswith(item_url))
    if page.locator("#release").count():  # the next item opened and is held: let colleagues have it
        page.locator("#release").click()
    page.goto(item_url)
    assert TIP_HOURS in page.locator("#history").inner_text()
    page.goto(f"{url}/replies")
    assert "Tip opening hours" in page.locator("#saved-replies").inner_text()
    shot(page, "replies")
    assert axe_violations(page) == []


def test_the_item_says_the_reply_will_be_posted_to_the_connected_page(server: tuple[str, Any], browser: Any) -> None:
    url, _ = server
    page = signed_in(browser, url, "mona")
    _open(page, url, "bins late")
    assert "Reply will be posted to Facebook" in page.locator("#reply-route").inner_text()
    assert page.locator("#copy-reply").count() == 0


def test_the_dashboard_shows_platform_problems_and_only_an_admin_acts(server: tuple[str, Any], browser: Any) -> None:
    url, _ = server
    officer = signed_in(browser, url, "olive")
    officer.goto(f"{url}/dashboard")
    assert "have stopped" in officer.locator("#main-content").inner_text()
    assert (
        officer.locator("#dead-letters").is_visible() and officer.get_by_role("button", name="Send again").count() == 0
    )
    admin = signed_in(browser, url, "ada")
    admin.goto(f"{url}/dashboard")
    assert "resume --id" in admin.locator("#main-content").inner_text()
    expect(admin.get_by_role("button", name="Resume deliveries")).to_be_visible()
    assert admin.locator("#deadlines").is_visible()
    shot(admin, "dashboard-platforms")
    assert axe_violations(admin) == []
    admin.get_by_role("button", name="Send again").click()
    assert "Sent again" in admin.locator("#flash").inner_text()
    assert admin.locator("#dead-letters").count() == 0
