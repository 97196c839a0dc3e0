"""An officer's day in Chromium (issue 15): labels, keyboard, queues, what the service did alone,
replies, reasons and history, context, accessibility. Each test fails on the UI before the issue."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, live_server, shot, signed_in
from triage.labels import LABELS
from triage.scoring.base import finalise
from triage.scoring.intent import rule_intent
from triage.types import ScoredText

pytestmark = pytest.mark.browser


class TunedScorer:
    """Keyword scores with in-between values, so thresholds and near misses can be seen."""

    name, version = "tuned", "tuned-1"
    thresholds: ClassVar[dict[str, float]] = dict.fromkeys(LABELS, 0.5)
    keywords: ClassVar[dict[str, dict[str, float]]] = {
        "earn £300": {"spam": 0.97, "political": 0.26, "abuse": 0.55},
        "cheap loans": {"spam": 0.96},
        "idiot": {"abuse": 0.94},
        "kill": {"threat": 0.9},
        "lovely": {},
        "vote": {"political": 0.9},
        "?": {"needs_response": 0.9},
    }

    def score(self, texts: Sequence[str]) -> list[ScoredText]:
        out = []
        for text in texts:
            given: dict[str, float] = {}
            for word, scores in self.keywords.items():
                if word in text.lower():
                    given |= scores
            intent = rule_intent(text) or ("question" if "?" in text else "none")
            out.append(finalise(text, given, intent))
        return out


WAVE = [f"Earn £300 a day from home{tail} message me to find out how?" for tail in ("", "!", "!!", " 💰", " now", " x")]
SEED = [
    *[(f"spammer{i}", text) for i, text in enumerate(WAVE)],
    ("angry", "you idiot, when are you fixing the road?"),
    ("resident", "When is bin day? Ring me on 07700 900123"),
    ("moaner", "I want to make a formal complaint about the missed collection?"),
    ("asker", "Freedom of Information request: how much was spent on the bridge?"),
    ("worried", "I'm worried about my elderly neighbour, nobody has seen her for days"),
    ("troll", "kill the lot of them"),
    ("rude", "what an idiot"),
    ("grumpy", "you idiot, why is the library shut?"),
    ("happy", "lovely new park"),
    ("moaner2", "Really poor service from the bin crews this week?"),
    ("campaigner", "Vote Reform next May, why is the council so useless?"),
]


LINKED = {
    "platform": "facebook",
    "external_id": "linked1",
    "author_handle": "neighbour",
    "post_id": "p9",
    "text": "Why have my bins changed to a Tuesday?",
    "permalink": "https://www.facebook.com/swalebc/posts/9?comment_id=42",
    "post_text": "From next week your bin collection day may change: check the new calendar.",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    with live_server(tmp_path_factory.mktemp("day") / "day.db", TunedScorer(), SEED, [LINKED]) as running:
        yield running


def open_item(page: Any, url: str, text: str) -> None:
    page.goto(f"{url}/review")
    page.locator("tbody tr a", has_text=text).first.click()
    page.wait_for_url(f"{url}/review/*")
    page.wait_for_load_state()


def test_labels_mean_what_they_say(server: tuple[str, Any], browser: Any) -> None:
    url, _ = server
    page = signed_in(browser, url, "olive")
    open_item(page, url, "fixing the road")
    assert page.locator("#label-abuse").is_checked()
    assert page.locator("#label-needs_response").is_checked()
    assert not page.locator("#label-spam").is_checked() and not page.locator("#label-political").is_checked()
    assert "model 0%, flags at 50%" in page.locator("#label-spam-hint").inner_text()
    assert "Abuse 94% (this council removes at 80%)" in page.locator("#reasons").inner_text()
    guide = page.get_by_role("link", name="the labelling guide")
    assert guide.get_attribute("href") == "/guide"
    shot(page, "item-labels")
    page.goto(f"{url}/guide")
    shot(page, "guide")
    assert page.get_by_role("heading", name="Labelling guide", exact=False).first.is_visible()
    assert page.locator("main ul.govuk-list").count() > 0


def test_spam_advert_ticks_spam_only_and_near_misses_are_apart(server: tuple[str, Any], browser: Any) -> None:
    url, _ = server
    page = signed_in(browser, url, "olive")
    open_item(page, url, "Earn £300")
    ticked = [label for label in LABELS if page.locator(f"#label-{label}").is_checked()]
    assert "spam" in ticked and "political" not in ticked and "threat" not in ticked
    assert "26%" in page.locator("#label-political-hint").inner_text()
    assert page.locator("#proposed").inner_text() == "Proposed: Remove"
    assert "Abuse 55%" in page.locator("#near-misses").inner_text()
    shot(page, "item-spam")
    assert "Abuse" not in page.locator("#reasons").inner_text()


def test_enter_on_a_link_never_decides(server: tuple[str, Any], browser: Any) -> None:
    url, _ = server
    page = signed_in(browser, url, "olive")
    open_item(page, url, "bin day")
    item_url = page.url
    page.get_by_role("link", name="Back to the queue").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{url}/review")
    assert "Decided" not in page.content()
    page.goto(item_url)
    assert page.locator("#decide-form").count() == 1  # still open
    page.locator("#note").focus()
    page.keyboard.press("a")
    assert not page.locator("#action-allow").is_checked()  # typing, not a shortcut
    assert page.locator("#note").input_value() == "a"


def test_keyboard_only_pass_through_the_queue(server: tuple[str, Any], browser: Any) -> None:
    url, _ = server
    page = signed_in(browser, url, "sam")
    open_item(page, url, "library shut")
    first = page.url
    assert page.evaluate("document.activeElement.id") == "item-heading"
    page.keyboard.press("r")
    expect(page.locator("#live")).to_contain_text("Action: remove")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda u: u != first and "/review/" in u)
    assert "Decided 1 item: remove" in page.locator("#flash").inner_text()
    assert page.locator(".govuk-notification-banner[role=alert]").count() == 1
    assert page.evaluate("document.activeElement.id") == "item-heading"
    shot(page, "item-after-decision")
    second = page.url
    assert page.locator("#next-item").is_visible()
    page.keyboard.press("n")
    page.wait_for_url(lambda u: u != second)


def test_respond_queue_with_deadlines_holders_and_masked_text(server: tuple[str, Any], browser: Any) -> None:
    url, _ = server
    olive = signed_in(browser, url, "olive")
    olive.goto(f"{url}/respond")
    olive.locator("tbody tr a", has_text="formal complaint").click()  # olive now holds it
    page = signed_in(browser, url, "mona")
    page.goto(f"{url}/respond")
    table = page.locator("table.queue-table")
    text = table.inner_text()
    assert "formal complaint" in text and "Freedom of Information" in text and "Earn £300" not in text
    assert "of office time" in text or "overdue" in text
    assert "held by olive until" in table.locator("tr", has_text="formal complaint").inner_text()
    headers = table.locator("th").all_inner_texts()
    for column in ("Respond by", "Arrived", "Author and platform", "Why it is here", "Held by"):
        assert column in headers
    shot(page, "respond")
    page.goto(f"{url}/review")
    listed = page.locator("table.queue-table").inner_text()
    assert "07700 900123" not in listed and "Ring me on [phone]" in listed  # masked in list views


def test_safeguarding_is_due_within_minutes(server: tuple[str, Any], browser: Any) -> None:
    url, _ = server
    page = signed_in(browser, url, "mona")
    page.goto(f"{url}/manager")
    row = page.locator("tr", has_text="elderly neighbour")
    assert "due in" in row.inner_text() and "min" in row.inner_text()
    assert "of office time" not in row.inner_text()


def test_bulk_bar_previews_and_counts_a_spam_wave(server: tuple[str, Any], browser: Any) -> None:
    url, _ = server
    page = signed_in(browser, url, "olive")
    page.goto(f"{url}/review")
    wave = page.locator("tr", has_text="Earn £300")
    assert wave.count() == 6
    free = [row for row in wave.all() if "held by" not in row.inner_text() or "held by olive" in row.inner_text()]
    for row in free[:3]:
        row.locator("input.row-select").check()
    expect(page.locator("#bulk-count")).to_have_text("3 selected")
    page.get_by_label("Decide the ticked items").select_option("remove")
    page.locator("#bulk-preview").click()
    assert page.locator("#bulk-heading").inner_text() == "Remove 3 items?"
    assert page.locator("#bulk-preview-list li").count() == 3
    shot(page, "bulk-preview")
    page.locator("#bulk-confirm").click()
    page.wait_for_url(f"{url}/review")
    assert "Decided 3 items: remove" in page.locator("#flash").inner_text()
    assert page.locator("tr", has_text="Earn £300").count() == 3
    shot(page, "queue-after-bulk")
    page.locator("#undo").click()  # the whole bulk action is undone
    page.goto(f"{url}/review")
    assert page.locator("tr", has_text="Earn £300").count() == 6


def test_what_the_service_did_alone_can_be_listed_and_reversed(server: tuple[str, Any], browser: Any) -> None:
    url, app = server
    page = signed_in(browser, url, "olive")
    page.goto(f"{url}/automatic")
    table = page.locator("#automatic-table")
    assert "lovely new park" in table.inner_text() and "what an idiot" in table.inner_text()
    page.get_by_label("Action").select_option("remove")
    page.get_by_role("button", name="Filter").click()
    assert "lovely new park" not in page.locator("#automatic-table").inner_text()
    page.get_by_label("Only where the author was warned").check()
    page.get_by_role("button", name="Filter").click()
    row = page.locator("#automatic-table tr", has_text="what an idiot")
    assert "author warned" in row.inner_text()
    shot(page, "automatic")
    row.get_by_role("button", name="Put back").click()
    assert "Reversed" in page.locator("#flash").inner_text()
    page.goto(f"{url}/automatic?action=remove")
    assert "Reversed" in page.locator("#automatic-table tr", has_text="what an idiot").inner_text()
    with app.state.triage.sessions() as session:
        from triage.storage import repo

        author = repo.author(session, council="swale", platform="facebook", handle="rude")
        assert author is not None and author.warnings == 0  # the automatic warning is withdrawn


def test_reply_from_the_tool(server: tuple[str, Any], browser: Any) -> None:
    url, _ = server
    page = signed_in(browser, url, "mona")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(f"{url}/respond")
    page.locator("tbody tr a", has_text="Freedom of Information").click()
    assert "statutory 20 working days" in page.locator("#reply").input_value()
    page.goto(f"{url}/respond")
    page.locator("tbody tr a", has_text="Vote Reform").click()
    assert page.locator("#reply").input_value() == ""
    assert "does not engage with party-political" in page.locator("#reply-hint").inner_text()
    page.goto(f"{url}/manager")
    page.locator("tbody tr a", has_text="elderly neighbour").click()
    assert "duty safeguarding officer" in page.locator("#reply-hint").inner_text()
    page.goto(f"{url}/respond")
    page.locator("tbody tr a", has_text="poor service").click()
    item_url = page.url
    reply = page.locator("#reply")
    assert "complaints page on www.swale.gov.uk" in reply.input_value()
    reply.fill(reply.input_value() + " Sorry again, Mona.")
    page.locator("#copy-reply").click()
    expect(page.locator("#copy-status")).to_have_text("Copied.")
    assert page.evaluate("navigator.clipboard.readText()").endswith("Sorry again, Mona.")
    shot(page, "item-reply")
    page.locator("#action-respond").check()
    page.get_by_role("button", name="Decide").click()
    page.wait_for_url(lambda u: u != item_url)
    page.goto(item_url)
    history = page.locator("#history").inner_text()
    assert "Sorry again, Mona." in history and "mona" in history and "Replied" in history


def test_audit_log_in_words_with_names_links_and_filters(server: tuple[str, Any], browser: Any) -> None:
    url, _ = server
    page = signed_in(browser, url, "sam")
    page.goto(f"{url}/audit")
    table = page.locator("#audit-table").inner_text()
    assert "user:" not in table and "comment:" not in table and "{" not in table
    assert "sam" in table and "Removed it" in table
    page.get_by_label("Officer").select_option(label="sam")
    page.get_by_label("What").select_option(label="Decided an item")
    page.get_by_role("button", name="Filter").click()
    rows = page.locator("#audit-table tbody tr")
    assert rows.count() >= 1
    assert all(row.locator("td").nth(1).inner_text() == "sam" for row in rows.all())
    shot(page, "audit-filtered")
    page.locator("#audit-table a", has_text="Open").first.click()
    page.wait_for_url(f"{url}/review/*")
    assert "sam" in page.locator("#history").inner_text()


def test_context_and_small_screens(server: tuple[str, Any], browser: Any) -> None:
    url, _ = server
    page = signed_in(browser, url, "mona", width=375)
    page.goto(f"{url}/respond")
    page.locator("tbody tr a", has_text="bins changed").click()
    assert page.locator("#permalink").get_attribute("href") == LINKED["permalink"]
    assert "new calendar" in page.locator("#post-text").inner_text()
    shot(page, "item-small-screen")
    for path in ("/review", "/respond", "/manager", "/automatic", "/audit", "/dashboard"):
        page.goto(f"{url}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"{path} is {width} px wide at 375"
    menu = page.get_by_role("button", name="Menu")
    assert menu.is_visible() and not page.get_by_role("link", name="Audit log").is_visible()
    menu.click()
    assert page.get_by_role("link", name="Audit log").is_visible()
    shot(page, "dashboard-small-screen")


def test_dashboard_figures_lead_to_the_items(server: tuple[str, Any], browser: Any) -> None:
    url, _ = server
    page = signed_in(browser, url, "olive")
    page.goto(f"{url}/dashboard")
    shot(page, "dashboard-links")
    page.locator("#figures a", has_text="Remove:").first.click()
    page.wait_for_url(f"{url}/automatic?action=remove")
    assert page.locator("#automatic-table tbody tr").count() >= 1
    page.goto(f"{url}/dashboard")
    page.locator("#figures a", has_text="Replies owed").click()
    page.wait_for_url(f"{url}/respond")


def test_no_serious_or_critical_accessibility_violations_on_any_page(server: tuple[str, Any], browser: Any) -> None:
    url, _ = server
    anonymous = browser.new_page()
    anonymous.goto(f"{url}/login")
    found = {"/login": axe_violations(anonymous)}
    page = signed_in(browser, url, "mona")
    for path in ("/review", "/respond", "/manager", "/automatic", "/audit", "/dashboard", "/guide"):
        page.goto(f"{url}{path}")
        found[path] = axe_violations(page)
    page.goto(f"{url}/manager")
    page.locator("tbody tr a").first.click()
    page.wait_for_url(f"{url}/review/*")
    found["item"] = axe_violations(page)
    page.goto(f"{url}/review")
    page.locator("input.row-select").first.check()
    page.locator("#bulk-preview").click()
    found["bulk preview"] = axe_violations(page)
    officer = signed_in(browser, url, "sam")
    officer.goto(f"{url}/manager")  # refused: the error page
    found["error"] = axe_violations(officer)
    assert {path: v for path, v in found.items() if v} == {}


def test_the_accessibility_check_sees_violations(browser: Any) -> None:
    page = browser.new_page()
    page.set_content('<html><body><img src="x.png"><button></button></body></html>')
    found = " ".join(axe_violations(page))
    assert "image-alt" in found and "button-name" in found
