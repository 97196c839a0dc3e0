"""Saved replies per council: saved, replaced, listed and deleted through the JSON API and the pages,
scoped to the person's councils and audited."""

from __future__ import annotations

import re

from tests.api.conftest import Api
from tests.api.test_ui import csrf, sign_in
from triage.storage import reviews

HOURS = {"council": "swale", "name": "Opening hours", "text": "The tip is open 8 till 4 every day."}


def test_officers_save_replace_list_and_delete_their_councils_replies(api: Api) -> None:
    api.sign_in("olive")
    saved = api.client.post("/v1/replies", json=HOURS)
    assert saved.status_code == 200, saved.text
    again = api.client.post("/v1/replies", json=HOURS | {"name": " Opening  hours ", "text": "Open 9 till 5."})
    assert again.json()["id"] == saved.json()["id"]  # the same name replaces the text
    assert [(r["name"], r["text"]) for r in api.client.get("/v1/replies").json()] == [
        ("Opening hours", "Open 9 till 5.")
    ]
    assert api.client.delete(f"/v1/replies/{saved.json()['id']}").status_code == 204
    assert api.client.get("/v1/replies").json() == []
    with api.client.app.state.triage.sessions() as session:  # type: ignore[attr-defined]
        kinds = [e.kind for e in reviews.audit_events(session, councils=["swale"], actor="", kind=None)]
    assert {"saved_reply_added", "saved_reply_changed", "saved_reply_deleted"} <= set(kinds)


def test_replies_stay_inside_the_council(api: Api) -> None:
    api.sign_in("olive")
    reply_id = api.client.post("/v1/replies", json=HOURS).json()["id"]
    assert api.client.post("/v1/replies", json=HOURS | {"council": "ashfield"}).status_code == 403
    api.client.cookies.clear()
    api.sign_in("ash")  # an ashfield officer
    assert api.client.get("/v1/replies").json() == []
    assert api.client.get("/v1/replies?council=swale").json() == []
    assert api.client.delete(f"/v1/replies/{reply_id}").status_code == 404


def test_bad_replies_and_roles_that_cannot_write_are_refused(api: Api) -> None:
    api.sign_in("olive")
    for bad in ({"text": "   "}, {"name": ""}, {"text": "a\x00b"}, {"text": "x" * 2001}):
        response = api.client.post("/v1/replies", json=HOURS | bad)
        assert response.status_code == 422, bad
    api.client.cookies.clear()
    api.sign_in("dave")  # a data scientist reads but does not write
    assert api.client.post("/v1/replies", json=HOURS).status_code == 403


def test_the_item_page_offers_the_saved_reply_and_fills_the_box_with_it(api: Api) -> None:
    api.post("When is the tip open?", "q1")
    sign_in(api, "olive")
    token = csrf(api, "/replies")
    saved = api.client.post("/replies", data=HOURS | {"csrf": token, "back": "https://elsewhere.example/"})
    assert "Saved the reply" in saved.text and str(saved.url).endswith("/replies")  # never sent elsewhere
    assert "The tip is open 8 till 4" in saved.text
    item_id = int(re.search(r'href="/review/(\d+)"', api.client.get("/respond").text).group(1))  # type: ignore[union-attr]
    page = api.client.get(f"/review/{item_id}").text
    assert 'id="saved-reply"' in page and ">Opening hours</option>" in page
    assert "Copy this reply" in page and "did not come through a connected account" in page
    reply_id = re.search(r'<option value="(\d+)" data-text', page).group(1)  # type: ignore[union-attr]
    chosen = api.client.get(f"/review/{item_id}?saved={reply_id}").text  # without scripts: reloaded with it
    box = re.search(r'<textarea[^>]*id="reply"[^>]*>([^<]*)</textarea>', chosen).group(1)  # type: ignore[union-attr]
    assert box == HOURS["text"] and "From a saved reply" in chosen
    deleted = api.client.post(f"/replies/{reply_id}/delete", data={"csrf": token})
    assert "Deleted the saved reply" in deleted.text and "No saved replies yet" in deleted.text
