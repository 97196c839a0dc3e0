"""POST /v1/comments: decisions, idempotency, storage before acknowledgement, fail-safe, limits."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from tests.api.conftest import Api, make_api
from tests.conftest import FakeScorer
from triage.storage.tables import CommentRow, DecisionRow, ReviewItemRow


def count(api: Api, table: type) -> int:
    with api.client.app.state.triage.sessions() as session:  # type: ignore[attr-defined]
        return session.scalar(select(func.count()).select_from(table)) or 0


def test_comment_is_scored_decided_and_stored(api: Api) -> None:
    response = api.post("you idiot", "c1")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["action"] == "remove" and body["created"] is True
    assert "abuse" in body["labels_flagged"]
    assert body["policy_version"].startswith("swale@") and body["model_version"] == "fake-1"
    assert any(r["label"] == "abuse" and "Moderation" in r["clause"] for r in body["reasons"])
    assert count(api, CommentRow) == 1 and count(api, DecisionRow) == 1


def test_retry_returns_the_original_and_stores_nothing_twice(api: Api) -> None:
    first = api.post("When is my bin collected?", "c2").json()
    second = api.post("When is my bin collected?", "c2").json()
    assert second["created"] is False and second["id"] == first["id"]
    assert count(api, CommentRow) == 1 and count(api, DecisionRow) == 1


def test_question_gets_a_deadline(api: Api) -> None:
    body = api.post("When is my bin collected?", "c3").json()
    assert body["action"] == "respond" and body["respond_by"] is not None and body["intent"] == "question"


def test_pii_spans_are_returned(api: Api) -> None:
    body = api.post("ring him on 07911 123456", "c4").json()
    assert body["pii_spans"] == [{"start": 12, "end": 24, "type": "phone"}]


def test_repeated_message_is_flagged_by_the_rules(api: Api) -> None:
    api.post("Great deals on driveways!", "r1", key="ashfield")
    second = api.post("great deals on driveways", "r2", key="ashfield").json()
    assert second["action"] == "remove" and any(r["rule"] == "duplicates" for r in second["reasons"])


@pytest.fixture
def broken_api(database_url: str) -> Iterator[Api]:
    yield from make_api(database_url, FakeScorer(fail=True))


def test_model_failure_is_stored_and_referred_never_removed(broken_api: Api) -> None:
    body = broken_api.post("you idiot", "f1").json()
    assert body["action"] == "refer" and body["review_causes"] == ["model_unavailable"]
    assert body["scores"] is None
    assert count(broken_api, CommentRow) == 1 and count(broken_api, ReviewItemRow) == 1


def test_batch_endpoint(api: Api) -> None:
    comments = [
        {"platform": "x", "external_id": f"b{i}", "author_handle": f"a{i}", "text": t}
        for i, t in enumerate(["hello", "you idiot", "When?"])
    ]
    response = api.client.post("/v1/comments/batch", json={"comments": comments}, headers=api.headers())
    assert response.status_code == 200
    assert [r["action"] for r in response.json()["results"]] == ["allow", "remove", "respond"]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"platform": "facebook", "external_id": "x", "author_handle": "a"}, 422, "invalid_request"),
        ({"platform": "facebook", "external_id": "x", "author_handle": "a", "text": ""}, 422, "invalid_request"),
        (
            {"platform": "facebook", "external_id": "x", "author_handle": "a", "text": "x" * 5001},
            422,
            "invalid_request",
        ),
        (
            {"platform": "facebook", "external_id": "x", "author_handle": "a", "text": "hi", "surprise": 1},
            422,
            "invalid_request",
        ),
        (
            {"platform": "facebook", "external_id": "x", "author_handle": "a", "text": "hi", "council": "ashfield"},
            403,
            "council_forbidden",
        ),
    ],
)
def test_bad_input_gets_a_typed_4xx(api: Api, body: dict, status: int, code: str) -> None:
    response = api.client.post("/v1/comments", json=body, headers=api.headers())
    assert response.status_code == status
    assert response.json()["code"] == code and response.json()["message"]


def test_malformed_json_is_a_typed_422(api: Api) -> None:
    response = api.client.post(
        "/v1/comments", content=b"{not json", headers=api.headers() | {"content-type": "application/json"}
    )
    assert response.status_code == 422 and response.json()["code"] == "invalid_request"


def test_oversized_body_is_refused(api: Api) -> None:
    response = api.client.post(
        "/v1/comments", content=b"x" * 1_000_001, headers=api.headers() | {"content-type": "application/json"}
    )
    assert response.status_code == 413 and response.json()["code"] == "body_too_large"


def test_key_for_several_councils_must_name_one(api: Api) -> None:
    response = api.post("hello", "m1", key="both")
    assert response.status_code == 422 and response.json()["code"] == "council_required"
    assert api.post("hello", "m1", key="both", council="ashfield").json()["council"] == "ashfield"


def test_rate_limit_per_key(database_url: str) -> None:
    for api in make_api(database_url, FakeScorer(), rate_per_minute=3):
        statuses = [api.post("hi", f"rl{i}").status_code for i in range(5)]
        assert statuses[:3] == [200, 200, 200] and statuses[-1] == 429
