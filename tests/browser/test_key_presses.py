"""Key presses an officer needs (the issue's closing note): agree, disagree, a spam wave of six."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import live_server, signed_in
from tests.browser.test_officer_day import TunedScorer, open_item

pytestmark = pytest.mark.browser
LOANS = ("", "!", " 💷", " fast", " x", "!!")
SEED = [
    ("grumbler", "you idiot, why is the tip shut on Sundays?"),
    ("grouch", "you idiot, why are the toilets locked?"),
    *[(f"lender{i}", f"Cheap loans approved today{tail}, see my profile to apply?") for i, tail in enumerate(LOANS)],
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    with live_server(tmp_path_factory.mktemp("keys") / "keys.db", TunedScorer(), SEED) as running:
        yield running


class Keys:
    """Presses keys on a page and counts them: the figures in the issue's closing note."""

    def __init__(self, page: Any) -> None:
        self.page, self.count = page, 0

    def press(self, *keys: str) -> None:
        for key in keys:
            self.page.keyboard.press(key)
            self.count += 1


def test_key_presses_to_decide(server: tuple[str, Any], browser: Any) -> None:
    url, _ = server
    page = signed_in(browser, url, "olive")
    open_item(page, url, "tip shut")  # the model proposes remove (abuse): agree
    keys, first = Keys(page), page.url
    keys.press("r", "Enter")
    page.wait_for_url(lambda u: u != first)
    assert keys.count == 2 and "Decided 1 item: remove" in page.locator("#flash").inner_text()

    open_item(page, url, "toilets locked")  # disagree: allow it, and it is not abuse
    keys, second = Keys(page), page.url
    keys.press("a", "Tab", "Tab", "Space", "Enter")
    page.wait_for_url(lambda u: u != second)
    assert keys.count == 5 and "Decided 1 item: allow" in page.locator("#flash").inner_text()
    page.goto(second)
    assert "Left it up" in page.locator("#history").inner_text()
    assert "abuse" not in page.locator("#history td").nth(3).inner_text()

    open_item(page, url, "Cheap loans")  # a spam wave of six
    keys, third = Keys(page), page.url
    keys.press("w", "r", "Enter")
    page.wait_for_url(lambda u: u != third)
    assert keys.count == 3 and "Decided 6 items: remove" in page.locator("#flash").inner_text()
    page.goto(f"{url}/review")
    assert page.locator("tr", has_text="Cheap loans").count() == 0
