"""The review pages through the HTTP client (the browser tests drive the same pages in Chromium)."""

from __future__ import annotations

import re

from tests.api.conftest import PASSWORD, Api


def sign_in(api: Api, username: str) -> None:
    page = api.client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    response = api.client.post(
        "/login", data={"username": username, "password": PASSWORD, "csrf": token}, follow_redirects=False
    )
    assert response.status_code == 303


def csrf(api: Api, path: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', api.client.get(path).text).group(1)  # type: ignore[union-attr]


def test_no_page_is_readable_without_signing_in(api: Api) -> None:
    for path in ("/review", "/review/1", "/manager", "/audit", "/dashboard"):
        response = api.client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/login", path


def test_forms_without_csrf_token_are_refused(api: Api) -> None:
    assert api.client.post("/login", data={"username": "olive", "password": PASSWORD}).status_code == 403


def test_officer_works_through_the_queue(api: Api) -> None:
    api.post("When is bin day? Vote Reform!", "u1")  # political and a question: swale needs no human...
    api.client.post(
        "/v1/comments",
        json={
            "platform": "facebook",
            "external_id": "u2",
            "author_handle": "z",
            "text": "ring him on 07911 123456 you idiot?",
        },
        headers=api.headers(),
    )
    sign_in(api, "olive")
    queue = api.client.get("/review")
    assert queue.status_code == 200
    item_id = int(re.search(r'href="/review/(\d+)"', queue.text).group(1))  # type: ignore[union-attr]
    page = api.client.get(f"/review/{item_id}")
    assert "<mark" in page.text and "phone" in page.text  # PII highlighted
    token = csrf(api, f"/review/{item_id}")
    response = api.client.post(
        f"/review/{item_id}/decide",
        data={
            "csrf": token,
            "action": "remove",
            "label_personal_info": "1",
            "reason_code": "personal_information",
            "author_action": "warn",
            "bulk": "one",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    audit = api.client.get("/audit").text
    assert (
        "Removed it (personal information); labels: personal info" in audit and "Warned an author (warning 1)" in audit
    )
    assert "personal info" in api.client.get("/dashboard").text
    assert api.client.get("/audit?from=yesterday").status_code == 422  # a typed 4xx, never a 500


def test_officer_is_refused_the_managers_page(api: Api) -> None:
    sign_in(api, "olive")
    assert api.client.get("/manager").status_code == 403


def test_data_scientist_sees_no_decision_form(api: Api) -> None:
    api.client.post(
        "/v1/comments",
        json={"platform": "facebook", "external_id": "ds", "author_handle": "z", "text": "ring 07911 123456?"},
        headers=api.headers(),
    )
    sign_in(api, "dave")
    item_id = int(re.search(r'href="/review/(\d+)"', api.client.get("/review").text).group(1))  # type: ignore[union-attr]
    assert 'id="decide-form"' not in api.client.get(f"/review/{item_id}").text


def test_dashboard_counts_only_the_officers_councils(api: Api) -> None:
    api.post("you idiot", "dash1", key="ashfield")  # another council's decision
    sign_in(api, "olive")
    assert "remove:" not in api.client.get("/dashboard").text


def test_opening_an_item_says_it_is_held_and_it_can_be_let_go(api: Api) -> None:
    """Issue 15, 9: opening an item claims it; the page says so and offers to let it go."""
    api.post("ring him on 07911 123456 you idiot?", "h1")
    sign_in(api, "olive")
    item_id = int(re.search(r'href="/review/(\d+)"', api.client.get("/review").text).group(1))  # type: ignore[union-attr]
    page = api.client.get(f"/review/{item_id}").text
    assert 'id="held-notice"' in page and "You hold this item until" in page
    sign_in(api, "mona")
    assert "another officer is working on this item" in api.client.get(f"/review/{item_id}").text
    sign_in(api, "olive")
    token = csrf(api, f"/review/{item_id}")
    released = api.client.post(f"/review/{item_id}/release", data={"csrf": token}, follow_redirects=False)
    assert released.status_code == 303
    sign_in(api, "mona")
    assert 'id="held-notice"' in api.client.get(f"/review/{item_id}").text
