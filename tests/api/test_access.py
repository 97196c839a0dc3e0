"""Authentication and council isolation, tried through every route."""

from __future__ import annotations

from tests.api.conftest import Api


def test_every_route_but_health_needs_authentication(api: Api) -> None:
    assert api.client.get("/health/live").status_code == 200
    for method, path in [
        ("post", "/v1/comments"),
        ("post", "/v1/comments/batch"),
        ("get", "/v1/comments/1"),
        ("get", "/v1/authors?platform=facebook&handle=x"),
        ("get", "/v1/review"),
        ("post", "/v1/review/1/decision"),
        ("get", "/metrics"),
    ]:
        response = getattr(api.client, method)(path, **({"json": {}} if method == "post" else {}))
        assert response.status_code == 401, path
        assert response.json()["code"] == "unauthorised"


def test_wrong_and_revoked_keys_are_refused(api: Api) -> None:
    from datetime import UTC, datetime

    from triage.storage.accounts import revoke_api_key

    bad = api.client.post("/v1/comments", json={}, headers={"Authorization": "Bearer tri_nope_nope"})
    assert bad.status_code == 401 and bad.json()["code"] == "invalid_api_key"
    prefix = api.keys["swale"].split("_")[1]
    with api.client.app.state.triage.sessions() as session:  # type: ignore[attr-defined]
        revoke_api_key(session, prefix=prefix, now=datetime.now(UTC))
        session.commit()
    assert api.post("hi", "rv1").status_code == 401


def test_a_revoked_key_stops_working_once_its_cache_entry_expires(api: Api) -> None:
    import time
    from datetime import UTC, datetime

    from triage.storage.accounts import revoke_api_key

    state = api.client.app.state.triage  # type: ignore[attr-defined]
    state.keys.ttl = 0.2
    assert api.post("hi", "rv2").status_code == 200  # verified and cached
    with state.sessions() as session:
        revoke_api_key(session, prefix=api.keys["swale"].split("_")[1], now=datetime.now(UTC))
        session.commit()
    time.sleep(0.3)
    assert api.post("hi", "rv3").status_code == 401


def test_scopes_are_checked(api: Api) -> None:
    assert api.post("hi", "s1", key="readonly").status_code == 403


def test_a_council_never_sees_another_councils_comments(api: Api) -> None:
    swale_id = api.post("kill", "iso1", key="swale").json()["id"]  # a threat: always seen by a human
    ashfield = api.headers("ashfield")
    assert api.client.get(f"/v1/comments/{swale_id}", headers=ashfield).status_code == 404
    assert api.client.get(f"/v1/comments/{swale_id}", headers=api.headers("swale")).status_code == 200
    assert api.client.get("/v1/authors?platform=facebook&handle=resident1", headers=ashfield).status_code == 404
    assert (
        api.client.get("/v1/authors?platform=facebook&handle=resident1&council=swale", headers=ashfield).status_code
        == 403
    )
    client = api.sign_in("ash")
    assert client.get("/v1/review").json() == []
    item = api.sign_in("olive").get("/v1/review").json()
    assert item and item[0]["council"] == "swale"
    api.client.post("/v1/session/logout")
    client = api.sign_in("ash")
    response = client.post(f"/v1/review/{item[0]['id']}/decision", json={"action": "allow", "reason_code": "ok"})
    assert response.status_code == 404


def test_officers_decide_and_managers_decide_referrals(api: Api) -> None:
    api.post("you idiot", "d1")  # swale: remove, needs no human -> not queued
    api.post("When is bin day? vote Reform", "d2")  # political + question
    api.client.post(
        "/v1/comments",
        json={"platform": "facebook", "external_id": "d3", "author_handle": "z", "text": "kill them all"},
        headers=api.headers(),
    )
    client = api.sign_in("olive")
    queue = client.get("/v1/review").json()
    threat = next(i for i in queue if "kill" in i["text"])
    assert threat["queue"] == "officer" or threat["queue"] == "manager"
    if threat["queue"] == "manager":
        refused = client.post(f"/v1/review/{threat['id']}/decision", json={"action": "remove", "reason_code": "threat"})
        assert refused.status_code == 409
        client.post("/v1/session/logout")
        client = api.sign_in("mona")
    decided = client.post(
        f"/v1/review/{threat['id']}/decision",
        json={"action": "remove", "labels": {"threat": 1}, "reason_code": "threat"},
    )
    assert decided.status_code == 200, decided.text
    again = client.post(f"/v1/review/{threat['id']}/decision", json={"action": "allow", "reason_code": "oops"})
    assert again.status_code == 409
    history = client.get(f"/v1/comments/{threat['comment_id']}").json()["decisions"]
    assert [d["kind"] for d in history] == ["model", "officer"]


def test_data_scientists_cannot_decide(api: Api) -> None:
    api.client.post(
        "/v1/comments",
        json={"platform": "facebook", "external_id": "ds1", "author_handle": "z", "text": "kill"},
        headers=api.headers(),
    )
    client = api.sign_in("dave")
    item = client.get("/v1/review").json()[0]
    assert (
        client.post(f"/v1/review/{item['id']}/decision", json={"action": "allow", "reason_code": "x"}).status_code
        == 403
    )


def test_health_ready_reports_model_and_database(api: Api) -> None:
    body = api.client.get("/health/ready").json()
    assert body == {"status": "ready", "database": True, "model": "fake-1"}


def test_metrics_need_permission(api: Api) -> None:
    assert api.client.get("/metrics", headers=api.headers()).status_code == 403
