"""Browser tests: Playwright drives Debian's Chromium through the review pages on a live server.
Screenshots only when TRIAGE_SCREENSHOTS names a folder."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import live_server, shot, signed_in
from tests.conftest import FakeScorer

pytestmark = pytest.mark.browser
SEED = [
    ("spammer", "Great discount on driveways, call 07911 123456?"),
    ("spammer2", "great discount on driveways, call 07911 123456?"),
    ("angry", "you idiot, when are you fixing the road?"),
    ("resident", "Ring Mrs Jones on 07700 900123, when is bin day?"),
    ("worried", "kill"),
    ("resident2", "you idiot? my email is jo@example.com"),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    with live_server(tmp_path_factory.mktemp("browser") / "ui.db", FakeScorer(), SEED) as running:
        yield running


def test_review_flow(server: tuple[str, str], browser) -> None:  # type: ignore[no-untyped-def]
    url, _ = server
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{url}/review")
    assert page.url.endswith("/login")
    shot(page, "login")
    page = signed_in(browser, url, "olive")
    rows = page.locator("tbody tr a")
    assert rows.count() >= 3
    shot(page, "queue")

    # decide one by mouse, overriding the labels
    page.locator("tbody tr a", has_text="fixing the road").click()
    shot(page, "item")
    page.locator("#action-allow").check()
    page.get_by_label("abuse", exact=True).uncheck()
    page.get_by_label("needs response").check()
    page.get_by_label("Reason").select_option("legitimate_criticism")
    page.get_by_role("button", name="Decide").click()
    page.wait_for_url(f"{url}/review/*")  # the next item opens
    assert "Decided 1 item" in page.content()
    page.goto(f"{url}/review")

    # decide another by keyboard alone: r picks remove, Enter decides
    page.locator("tbody tr a", has_text="my email is").click()
    page.wait_for_url(f"{url}/review/*")
    item_url = page.url
    page.locator("body").press("r")
    assert page.locator("#action-remove").is_checked()
    page.locator("#action-remove").press("Enter")
    page.wait_for_url(lambda u: u != item_url)
    page.goto(f"{url}/review")

    # a bulk action over a spam wave
    wave = page.locator("tbody tr a", has_text="discount")
    assert wave.count() == 2
    wave.first.click()
    page.get_by_label("Apply to").select_option("duplicates")
    page.locator("#action-remove").check()
    page.get_by_role("button", name="Decide").click()
    page.wait_for_url(f"{url}/review**")
    assert "Decided 2 items" in page.content()
    page.goto(f"{url}/review")
    assert page.locator("tbody tr a", has_text="discount").count() == 0

    # officers are refused the managers' page
    response = page.goto(f"{url}/manager")
    assert response is not None and response.status == 403

    # the decisions are in the audit log, and in the author's history on the item page
    page.goto(f"{url}/audit")
    assert "Removed it" in page.content()
    shot(page, "audit")
    page.goto(f"{url}/dashboard")
    shot(page, "dashboard")


def test_manager_page(server: tuple[str, str], browser) -> None:  # type: ignore[no-untyped-def]
    url, _ = server
    page = signed_in(browser, url, "mona")
    page.goto(f"{url}/manager")
    assert "Managers' queue" in page.content()
    shot(page, "manager")
