"""Finding 7: nothing personal in any log line, errors included: marker strings in the text,
handle, post topic and officer note go through every error path of a real server, and no log
record (message or traceback) carries them."""

from __future__ import annotations

import logging
import re
import sqlite3
from typing import Any

import httpx
import pytest

from serve.app import create_app
from tests.api.conftest import PASSWORD
from tests.conftest import FakeScorer
from tests.security.conftest import MARKERS, live_server
from triage.config import Settings
from triage.storage.accounts import create_api_key, create_user

TEXT, HANDLE, TOPIC, NOTE = MARKERS


def marked(**changes: Any) -> dict[str, Any]:
    body = {
        "platform": "facebook",
        "external_id": "m1",
        "author_handle": HANDLE,
        "post_topic": TOPIC,
        "text": f"{TEXT} ring him on 07911 123456 you idiot?",
    }
    return body | changes


def leaks(records: list[logging.LogRecord]) -> list[str]:
    formatter = logging.Formatter()
    found = []
    for record in records:
        line = record.getMessage() + (formatter.formatException(record.exc_info) if record.exc_info else "")
        found += [f"{record.name}: {marker}" for marker in MARKERS if marker in line]
    return found


def setup(app: Any) -> str:
    with app.state.triage.sessions() as session:
        key = create_api_key(session, name="k", councils=["swale"], scopes=["comments:write"], now=_now())
        create_user(session, username="olive", password=PASSWORD, role="officer", councils=["swale"], now=_now())
        session.commit()
    return key


def _now():  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    return datetime.now(UTC)


def _error_paths(client: httpx.Client, database: str, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    statuses = [
        client.post("/v1/comments", json=marked(**changes)).status_code
        for changes in (
            {"created_at": "2026-01-01T10:00:00"},
            {"created_at": "9999-12-31T23:59:59-14:00"},
            {"text": f"{TEXT}\x00"},
            {"author_handle": f"{HANDLE}\x00"},
            {"platform": f"{HANDLE}"},
            {"text": "\u200b"},
        )
    ]
    batch = {"comments": [marked(external_id="good"), marked(external_id="bad", created_at="2026-01-01")]}
    statuses.append(client.post("/v1/comments/batch", json=batch).status_code)
    statuses.append(client.post("/v1/comments", json=marked(external_id="item")).status_code)  # to review
    statuses.append(_long_reason(client))
    if database.startswith("sqlite"):
        holder = sqlite3.connect(database.removeprefix("sqlite:///"), isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        statuses.append(client.post("/v1/comments", json=marked(external_id="locked")).status_code)
        holder.rollback()
        holder.close()
    monkeypatch.setattr("triage.service.record.decide", _explode)  # the rules, mid-ingest
    statuses.append(client.post("/v1/comments", json=marked(external_id="boom")).status_code)
    return statuses


def _explode(*_: Any) -> None:
    raise RuntimeError(f"unexpected failure with {TEXT} and {HANDLE} inside")


def _long_reason(client: httpx.Client) -> int:
    signed_in = client.post(
        "/v1/session", json={"username": "olive", "password": PASSWORD}, headers={"Authorization": ""}
    )
    assert signed_in.status_code == 200
    item = re.search(r'href="/review/(\d+)"', client.get("/review", headers={"Authorization": ""}).text)
    assert item is not None
    page = client.get(f"/review/{item.group(1)}", headers={"Authorization": ""}).text
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    form = {"csrf": token, "action": "allow", "reason_code": f"{NOTE}" * 20, "note": f"{NOTE}\x00", "bulk": "one"}
    return client.post(f"/review/{item.group(1)}/decide", data=form, headers={"Authorization": ""}).status_code


def test_no_error_path_logs_personal_data(
    database_url: str, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(database_url=database_url, environment="test", database_busy_timeout_s=1.0)
    app = create_app(settings, FakeScorer())
    caplog.set_level(logging.DEBUG)
    with live_server(app) as url:
        key = setup(app)
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=30) as client:
            statuses = _error_paths(client, database_url, monkeypatch)
    locked = [503] if database_url.startswith("sqlite") else []
    assert statuses == [422, 422, 422, 422, 422, 422, 422, 200, 303, *locked, 500]
    assert leaks(caplog.records) == []
    assert any("unhandled RuntimeError" in r.getMessage() for r in caplog.records)  # logged, by type only
