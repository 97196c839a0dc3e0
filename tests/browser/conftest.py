"""Browser test helpers: a live server per module, Debian's Chromium through Playwright, screenshots
only when TRIAGE_SCREENSHOTS names a folder, and an axe-core check."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from serve.app import create_app
from triage.config import Settings
from triage.scoring.base import Scorer
from triage.storage.accounts import create_api_key, create_user

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = Path(__file__).resolve().parents[2] / "serve" / "assets" / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "correct horse battery"
USERS = (("olive", "officer"), ("sam", "officer"), ("mona", "manager"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def live_server(db: Path, scorer: Scorer, seed: Sequence[tuple[str, str]], extra: Sequence[dict[str, Any]] = ()):  # type: ignore[no-untyped-def]
    """A server on a free port with three people and the seed comments posted (in order) through the API."""
    port = _free_port()
    app = create_app(Settings(database_url=f"sqlite:///{db}", environment="test"), scorer=scorer)
    runner = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
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
        for username, role in USERS:
            create_user(session, username=username, password=PASSWORD, role=role, councils=["swale"], now=now)
        session.commit()
    posts = [
        {"platform": "facebook", "external_id": f"ui{i}", "author_handle": h, "post_id": "bins", "text": t}
        for i, (h, t) in enumerate(seed)
    ]
    for body in [*posts, *extra]:
        response = httpx.post(f"{url}/v1/comments", headers={"Authorization": f"Bearer {key}"}, json=body)
        assert response.status_code in (200, 201), response.text
    try:
        yield url, app
    finally:
        runner.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")  # a session-wide Playwright keeps an event loop running for later tests
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-sync", "--no-first-run"]
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
        yield launched
        launched.close()


def signed_in(browser: Any, url: str, username: str, width: int = 1280) -> Any:
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(f"{url}/login")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{url}/review")
    return page


def shot(page: Any, name: str) -> None:
    """A screenshot for the docs, only when TRIAGE_SCREENSHOTS names the folder (tests leave the tree clean)."""
    folder = os.environ.get("TRIAGE_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def axe_violations(page: Any) -> list[str]:
    """Serious and critical axe-core violations on the page (evaluated over CDP, so the CSP allows it)."""
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `npm ci` in serve/assets (make assets)")
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => (await axe.run(document)).violations")
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in result
        if v["impact"] in ("serious", "critical")
    ]
