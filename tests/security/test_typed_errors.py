"""Finding 6: bad input answers a typed 4xx (never a 500), a batch is accepted or refused whole,
and a database outage answers a typed 503 with Retry-After."""

from __future__ import annotations

import re
import sqlite3
import time
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select

from tests.api.test_ui import csrf, sign_in
from tests.conftest import FakeScorer
from tests.security.conftest import Api, make_api
from triage.storage.tables import CommentRow, OfficerDecisionRow

BIG_ID = 2**63


def comment(**changes: Any) -> dict[str, Any]:
    return {
        "platform": "facebook",
        "external_id": "e1",
        "author_handle": "resident1",
        "text": "Bins not collected?",
    } | changes


def stored(api: Api) -> int:
    with api.client.app.state.triage.sessions() as session:  # type: ignore[attr-defined]
        return int(session.scalar(select(func.count()).select_from(CommentRow)) or 0)


def refused(response: Any, field: str) -> None:
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "invalid_request"
    assert any(field in d["field"] for d in response.json()["details"]), response.json()


@pytest.mark.parametrize(
    "created_at", ["2026-01-01T10:00:00", "2026-01-01", "9999-12-31T23:59:59-14:00", "1850-01-01T00:00:00Z"]
)
def test_naive_or_out_of_range_created_at_is_a_422(api: Api, created_at: str) -> None:
    response = api.client.post("/v1/comments", json=comment(created_at=created_at), headers=api.headers())
    refused(response, "created_at")
    assert stored(api) == 0


def test_an_aware_created_at_is_stored_in_utc(api: Api) -> None:
    response = api.client.post(
        "/v1/comments", json=comment(created_at="2026-01-01T10:00:00+01:00"), headers=api.headers()
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("text", "hello\x00world"),
        ("author_handle", "res\x00ident"),
        ("post_topic", "bins\x00"),
        ("text", "   \n\t "),
        ("text", "\u200b\u200c\u200d\ufeff"),
        ("text", "\u3164\u2800"),
        ("author_handle", "\u200b"),
        ("platform", "myspace"),
    ],
)
def test_nul_invisible_text_and_unknown_platforms_are_a_422(api: Api, field: str, value: str) -> None:
    response = api.client.post("/v1/comments", json=comment(**{field: value}), headers=api.headers())
    refused(response, field)
    assert stored(api) == 0


def test_a_batch_with_a_bad_item_is_refused_whole_with_its_index(api: Api) -> None:
    batch = {"comments": [comment(external_id="good"), comment(external_id="bad", created_at="2026-01-01T10:00:00")]}
    response = api.client.post("/v1/comments/batch", json=batch, headers=api.headers())
    refused(response, "comments.1.created_at")
    assert [d["index"] for d in response.json()["details"]] == [1]
    assert stored(api) == 0  # the good one was not stored either
    batch["comments"][1].pop("created_at")
    assert api.client.post("/v1/comments/batch", json=batch, headers=api.headers()).status_code == 200
    assert stored(api) == 2


@pytest.mark.parametrize("path", [f"/review/{BIG_ID}", f"/v1/comments/{BIG_ID}"])
def test_ids_past_64_bits_are_a_422_in_ui_and_api_routes(api: Api, path: str) -> None:
    client = api.sign_in("olive")
    assert client.get(path).status_code == 422


@pytest.mark.parametrize("path", [f"/review/{BIG_ID}/decide", f"/decisions/{BIG_ID}/undo"])
def test_ids_past_64_bits_in_ui_forms_are_a_422(api: Api, path: str) -> None:
    client = api.sign_in("olive")
    client.get("/login")  # a CSRF token in the session
    assert client.post(path, data={"csrf": "x", "action": "allow"}).status_code == 422


def officer_item(api: Api) -> int:
    """An item in the officers' queue, with olive signed in to the pages."""
    api.client.post("/v1/comments", headers=api.headers(), json=comment(text="ring him on 07911 123456 you idiot?"))
    sign_in(api, "olive")
    return int(re.search(r'href="/review/(\d+)"', api.client.get("/review").text).group(1))  # type: ignore[union-attr]


def test_an_over_long_reason_code_from_the_ui_is_refused_and_not_stored(api: Api) -> None:
    item_id = officer_item(api)
    form = {"csrf": csrf(api, f"/review/{item_id}"), "action": "allow", "reason_code": "r" * 200, "bulk": "one"}
    response = api.client.post(f"/review/{item_id}/decide", data=form, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"/review/{item_id}"
    assert "reason code" in api.client.get(f"/review/{item_id}").text
    with api.client.app.state.triage.sessions() as session:  # type: ignore[attr-defined]
        assert session.scalar(select(func.count()).select_from(OfficerDecisionRow)) == 0


def _lock_sqlite(path: str) -> sqlite3.Connection:
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    return holder


def test_a_locked_sqlite_file_answers_503_quickly(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "triage.db"
    for api in make_api(f"sqlite:///{path}", FakeScorer(), database_busy_timeout_s=1.0):
        assert api.post("warm up the key cache", "w1").status_code == 200
        holder = _lock_sqlite(str(path))
        started = time.monotonic()
        response = api.post("stored while locked?", "w2")
        elapsed = time.monotonic() - started
        holder.rollback()
        holder.close()
        assert response.status_code == 503 and response.json()["code"] == "database_unavailable"
        assert response.headers["Retry-After"].isdigit()
        assert elapsed < 10
        assert api.post("stored while locked?", "w2").status_code == 200  # the retry works


def test_a_postgresql_outage_answers_503(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only (TRIAGE_TEST_DATABASE_URL)")
    for api in make_api(database_url, FakeScorer()):
        state = api.client.app.state.triage  # type: ignore[attr-defined]
        assert api.post("warm up the key cache", "w1").status_code == 200
        down = create_engine("postgresql+psycopg://postgres@127.0.0.1:1/gone", connect_args={"connect_timeout": 2})
        state.sessions.configure(bind=down)  # the server went away (the factory every part shares)
        for key in ("swale", "ashfield"):  # a cached key reaches the recorder; a new one fails to sign in
            response = api.post("is anyone there?", "w2", key=key)
            assert response.status_code == 503, response.text
            assert response.json()["code"] == "database_unavailable" and response.headers["Retry-After"]
