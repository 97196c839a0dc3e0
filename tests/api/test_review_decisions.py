"""The officer decision is one command behind the page and the JSON route: the same powers
(roles permitting), redaction stored and published, a blocked author's comments removed, the
dashboard counting only decisions that stand, and no database work on the event loop."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime

from fastapi.routing import APIRoute
from sqlalchemy import select

from serve.deps import get_session
from serve.routes import admin, comments, health, people
from serve.ui import pages, review_pages
from tests.api.conftest import Api
from tests.api.test_ui import csrf, sign_in
from triage import dashboard
from triage.policy.profile import profile_by_name
from triage.storage.tables import CommentRow, ReviewItemRow

PII = "ring him on 07911 123456 you idiot?"


def queued(api: Api, text: str, external_id: str, author: str = "resident1") -> dict:
    comment = api.post(text, external_id, author_handle=author).json()
    item = next(i for i in api.client.get("/v1/review").json() if i["comment_id"] == comment["id"])
    return item


def test_the_json_route_redacts_and_the_integration_reads_the_redacted_text(api: Api) -> None:
    api.sign_in("mona")
    item = queued(api, PII, "r1")
    body = {"action": "remove", "labels": {"personal_info": 1}, "reason_code": "personal_information", "redact": True}
    decided = api.client.post(f"/v1/review/{item['id']}/decision", json=body)
    assert decided.status_code == 200, decided.text
    assert decided.json()["redacted_text"] == "ring him on [phone removed] you idiot?"
    published = api.client.get(f"/v1/comments/{item['comment_id']}", headers=api.headers()).json()
    assert published["redacted_text"] == "ring him on [phone removed] you idiot?"


def test_the_page_stores_the_redacted_text(api: Api) -> None:
    comment = api.post(PII, "r2").json()
    sign_in(api, "mona")
    with api.client.app.state.triage.sessions() as session:  # type: ignore[attr-defined]
        item_id = session.scalar(select(ReviewItemRow.id).where(ReviewItemRow.comment_id == comment["id"]))
    form = {
        "csrf": csrf(api, f"/review/{item_id}"),
        "action": "remove",
        "reason_code": "personal_information",
        "redact": "1",
        "bulk": "one",
        "author_action": "none",
    }
    assert api.client.post(f"/review/{item_id}/decide", data=form, follow_redirects=False).status_code == 303
    with api.client.app.state.triage.sessions() as session:  # type: ignore[attr-defined]
        assert session.get(CommentRow, comment["id"]).redacted_text == "ring him on [phone removed] you idiot?"


def test_the_json_route_warns_blocks_and_decides_in_bulk(api: Api) -> None:
    api.sign_in("mona")
    items = [queued(api, PII, f"b{n}") for n in range(3)]
    body = {"action": "remove", "reason_code": "abusive", "bulk": "duplicates", "author_action": "block"}
    decided = api.client.post(f"/v1/review/{items[0]['id']}/decision", json=body).json()
    assert len(decided["decision_ids"]) == 3
    author = api.client.get("/v1/authors?platform=facebook&handle=resident1", headers=api.headers()).json()
    assert author["blocked"]


def test_an_officer_cannot_block_through_the_json_route(api: Api) -> None:
    api.sign_in("olive")
    item = queued(api, PII, "o1")
    assert item["queue"] == "officer"
    refused = api.client.post(
        f"/v1/review/{item['id']}/decision", json={"action": "allow", "reason_code": "x", "author_action": "block"}
    )
    assert refused.status_code == 409 and "managers" in refused.json()["message"]


def test_a_blocked_authors_comment_is_decided_as_blocked(api: Api) -> None:
    api.sign_in("mona")
    item = queued(api, PII, "k1", author="troll")
    body = {"action": "remove", "reason_code": "abusive", "author_action": "block"}
    assert api.client.post(f"/v1/review/{item['id']}/decision", json=body).status_code == 200
    later = api.post("lovely weather for the fete", "k2", author_handle="troll").json()
    assert later["action"] == "remove"
    [reason] = [r for r in later["reasons"] if r["rule"] == "author.blocked"]
    assert reason["clause"] == profile_by_name("swale").escalation.clause
    assert "block_author" not in later["flags"]  # already blocked: no second block proposed


def test_dashboard_agreement_skips_undone_decisions(api: Api) -> None:
    client = api.sign_in("olive")
    item = queued(api, PII, "d1")  # the model flags abuse
    body = {"action": "allow", "labels": {"abuse": 0}, "reason_code": "other"}
    decision_id = client.post(f"/v1/review/{item['id']}/decision", json=body).json()["id"]
    state = api.client.app.state.triage  # type: ignore[attr-defined]
    with state.sessions() as session:
        figures = dashboard.figures(session, councils=["swale"], thresholds={}, now=datetime.now(UTC))
        assert figures["agreement"] == {"abuse": {"agree": 0, "disagree": 1}}
    sign_in(api, "olive")
    token = csrf(api, f"/review/{item['id']}")
    assert api.client.post(f"/decisions/{decision_id}/undo", data={"csrf": token}).status_code == 200
    with state.sessions() as session:
        figures = dashboard.figures(session, councils=["swale"], thresholds={}, now=datetime.now(UTC))
        assert figures["agreement"] == {}


def _uses_session(dependant) -> bool:  # type: ignore[no-untyped-def]
    return any(d.call is get_session or _uses_session(d) for d in dependant.dependencies)


def test_handlers_that_use_the_database_run_off_the_event_loop() -> None:
    routers = (pages.router, review_pages.router, comments.router, people.router, admin.router, health.router)
    every = [route for router in routers for route in router.routes if isinstance(route, APIRoute)]
    routes = [route for route in every if _uses_session(route.dependant)]
    assert any(r.path == "/review/{item_id}/decide" for r in routes)
    assert [r.path for r in routes if inspect.iscoroutinefunction(r.endpoint)] == []
