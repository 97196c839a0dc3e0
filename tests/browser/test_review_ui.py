"""Browser tests: Playwright drives Debian's Chromium through the review pages on a live server.
Screenshots of the main pages are saved under docs/screenshots/."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import uvicorn

from serve.app import create_app
from tests.conftest import FakeScorer
from triage.config import Settings
from triage.storage.accounts import create_api_key, create_user

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]
SHOTS = Path("docs/screenshots")
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    db = tmp_path_factory.mktemp("browser") / "ui.db"
    app = create_app(Settings(database_url=f"sqlite:///{db}", environment="test"), scorer=FakeScorer())
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    runner = uvicorn.Server(config)
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            if httpx.get(f"{url}/health/live").status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    with app.state.triage.sessions() as session:
        now = datetime.now(UTC)
        key = create_api_key(session, name="ui", councils=["swale"], scopes=["comments:write"], now=now)
        create_user(session, username="olive", password=PASSWORD, role="officer", councils=["swale"], now=now)
        create_user(session, username="mona", password=PASSWORD, role="manager", councils=["swale"], now=now)
        session.commit()
    seed = [
        ("spammer", "Great discount on driveways, call 07911 123456?"),
        ("spammer2", "great discount on driveways, call 07911 123456?"),
        ("angry", "you idiot, when are you fixing the road?"),
        ("resident", "Ring Mrs Jones on 07700 900123, when is bin day?"),
        ("worried", "kill"),
        ("resident2", "you idiot? my email is jo@example.com"),
    ]
    for index, (handle, text) in enumerate(seed):
        httpx.post(
            f"{url}/v1/comments",
            headers={"Authorization": f"Bearer {key}"},
            json={
                "platform": "facebook",
                "external_id": f"ui{index}",
                "author_handle": handle,
                "post_id": "bins",
                "text": text,
            },
        )
    yield url, key
    runner.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


def signed_in(browser, url: str, username: str):  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{url}/login")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{url}/review")
    return page


def test_review_flow(server: tuple[str, str], browser) -> None:  # type: ignore[no-untyped-def]
    url, _ = server
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{url}/review")
    assert page.url.endswith("/login")
    page.screenshot(path=str(SHOTS / "login.png"))
    page = signed_in(browser, url, "olive")
    rows = page.locator("tbody tr a")
    assert rows.count() >= 3
    page.screenshot(path=str(SHOTS / "queue.png"), full_page=True)

    # decide one by mouse, overriding the labels
    page.locator("tbody tr a", has_text="fixing the road").click()
    page.screenshot(path=str(SHOTS / "item.png"), full_page=True)
    page.locator("#action-allow").check()
    page.get_by_label("abuse", exact=True).uncheck()
    page.get_by_label("needs response").check()
    page.get_by_label("Reason").select_option("legitimate_criticism")
    page.get_by_role("button", name="Decide").click()
    page.wait_for_url(f"{url}/review")
    assert "Decided 1 item" in page.content()

    # decide another by keyboard alone: r picks remove, Enter decides
    page.locator("tbody tr a", has_text="jo@example.com").click()
    page.locator("body").press("r")
    assert page.locator("#action-remove").is_checked()
    page.locator("body").press("Enter")
    page.wait_for_url(f"{url}/review")

    # a bulk action over a spam wave
    wave = page.locator("tbody tr a", has_text="discount")
    assert wave.count() == 2
    wave.first.click()
    page.get_by_label("Apply to").select_option("duplicates")
    page.locator("#action-remove").check()
    page.get_by_role("button", name="Decide").click()
    page.wait_for_url(f"{url}/review")
    assert "Decided 2 items" in page.content()
    assert page.locator("tbody tr a", has_text="discount").count() == 0

    # officers are refused the managers' page
    response = page.goto(f"{url}/manager")
    assert response is not None and response.status == 403

    # the decisions are in the audit log, and in the author's history on the item page
    page.goto(f"{url}/audit")
    assert "officer decision" in page.content()
    page.screenshot(path=str(SHOTS / "audit.png"), full_page=True)
    page.goto(f"{url}/dashboard")
    page.screenshot(path=str(SHOTS / "dashboard.png"), full_page=True)


def test_manager_page(server: tuple[str, str], browser) -> None:  # type: ignore[no-untyped-def]
    url, _ = server
    page = signed_in(browser, url, "mona")
    page.goto(f"{url}/manager")
    assert "Managers' queue" in page.content()
    page.screenshot(path=str(SHOTS / "manager.png"), full_page=True)
