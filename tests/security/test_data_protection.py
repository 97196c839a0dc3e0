"""Finding 8 (subject access and retention) and the first-run password of finding 7."""

from __future__ import annotations

import json
import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests.conftest import FakeScorer
from tests.security.conftest import Api, make_api
from triage import privacy, review
from triage.config import Settings, get_settings
from triage.connectors import connections, inbound, outbox
from triage.connectors.intake import Intake
from triage.connectors.sample_payloads import body, page_comment
from triage.policy.profile import ProfileError, load_profile, profile_by_name, shipped_profiles
from triage.storage.accounts import authenticate
from triage.storage.tables import AuthorRow, Base, CommentRow, OfficerDecisionRow, ReviewItemRow, UserRow
from triage_cli.main import app as cli

NOW = datetime.now(UTC)


def session_of(api: Api) -> Session:
    return api.client.app.state.triage.sessions()  # type: ignore[attr-defined,no-any-return]


def post(api: Api, handle: str, external_id: str, text: str, key: str = "swale", platform: str = "facebook") -> int:
    body = {
        "platform": platform,
        "external_id": external_id,
        "author_handle": handle,
        "post_topic": f"topic of {handle}",
        "text": text,
    }
    response = api.client.post("/v1/comments", json=body, headers=api.headers(key))
    assert response.status_code == 200, response.text
    return int(response.json()["id"])


def decide_with_note(session: Session, comment_id: int, note: str) -> None:
    item = session.scalar(select(ReviewItemRow).where(ReviewItemRow.comment_id == comment_id))
    assert item is not None
    mona = session.scalar(select(UserRow).where(UserRow.username == "mona"))
    assert mona is not None
    decision = review.OfficerDecision(action="remove", labels={"abuse": 1}, reason_code="abusive", note=note)
    review.decide(
        session,
        item_id=item.id,
        actor=review.Actor(mona.id, mona.role, tuple(mona.councils)),
        decision=decision,
        profiles=profile_by_name,
        now=NOW,
    )


def test_subject_access_returns_everything_per_council_and_platform(api: Api) -> None:
    swale = post(api, "sam", "s1", "ring me on 07911 123456 you idiot?")
    post(api, "sam", "s2", "another one", platform="x")
    post(api, "sam", "a1", "you idiot", key="ashfield")
    post(api, "someone-else", "o1", "not about sam")
    with session_of(api) as session:
        decide_with_note(session, swale, "NOTE about sam")
        export = privacy.subject_access(session, handle="sam", councils=None, now=NOW)
    assert export["format"] == privacy.SAR_FORMAT and export["councils"] == ["ashfield", "swale"]
    groups = {(g["council"], g["platform"]): g for g in export["groups"]}
    assert set(groups) == {("ashfield", "facebook"), ("swale", "facebook"), ("swale", "x")}
    [entry] = groups[("swale", "facebook")]["comments"]
    assert entry["external_id"] == "s1" and entry["post_topic"] == "topic of sam" and "07911" in entry["text"]
    assert entry["scores"][0]["pii_spans"] and entry["scores"][0]["scores"]["abuse"] > 0.5
    assert entry["decisions"][0]["reasons"] and entry["reviews"][0]["status"] == "decided"
    [officer] = entry["officer_decisions"]
    assert (
        officer["note"] == "NOTE about sam"
        and officer["labels"] == {"abuse": 1}
        and officer["reason_code"] == "abusive"
    )
    assert "user_id" not in officer  # the officer's identity is theirs, not the subject's
    kinds = {e["kind"] for e in groups[("swale", "facebook")]["audit_events"]}
    assert "officer_decision" in kinds
    assert "not about sam" not in json.dumps(export)
    with session_of(api) as session:
        only_swale = privacy.subject_access(session, handle="sam", councils=["swale"], now=NOW)
    assert only_swale["councils"] == ["swale"]


def test_the_sar_command_writes_an_owner_only_file(api: Api, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    post(api, "sam", "s1", "hello there")
    use_database(monkeypatch, api)
    output = tmp_path / "sam.json"
    result = CliRunner().invoke(cli, ["sar", "sam", "--output", str(output)])
    assert result.exit_code == 0, result.output
    assert json.loads(output.read_text())["groups"][0]["comments"][0]["text"] == "hello there"
    assert stat.S_IMODE(os.stat(output).st_mode) == 0o600


def use_database(monkeypatch: pytest.MonkeyPatch, api: Api, **env: str) -> None:
    monkeypatch.setenv("TRIAGE_DATABASE_URL", api.client.app.state.triage.settings.database_url)  # type: ignore[attr-defined]
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()


@pytest.fixture(autouse=True)
def _fresh_settings() -> Any:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def every_value(session: Session) -> str:
    """Every stored value of every table, as one string to search."""
    dump = []
    for table in Base.metadata.sorted_tables:
        dump += [json.dumps(list(row), default=str) for row in session.execute(table.select())]
    return "\n".join(dump)


def age(session: Session, comment_id: int, days: int) -> None:
    session.execute(
        update(CommentRow).where(CommentRow.id == comment_id).values(received_at=NOW - timedelta(days=days))
    )
    session.commit()


def test_purge_follows_each_councils_retention_and_leaves_nothing_personal(api: Api) -> None:
    old = post(api, "OLDHANDLE", "OLDEXTERNAL", "OLDTEXT ring 07911 123456 you idiot?")
    kept = post(api, "RECENT", "RECENTEXTERNAL", "RECENTTEXT hello")
    short = post(api, "ASHFIELDHANDLE", "ASHEXTERNAL", "ASHTEXT you idiot", key="ashfield")
    with session_of(api) as session:
        decide_with_note(session, old, "OLDNOTE")
        age(session, old, 400)
        age(session, kept, 40)
        age(session, short, 40)
        report = privacy.purge_expired(session, days_for={"swale": 365, "ashfield": 30}.__getitem__, now=NOW)
        session.commit()
        assert report.councils == {"ashfield": {"days": 30, "purged": 1}, "swale": {"days": 365, "purged": 1}}
        everything = every_value(session)
        for gone in (
            "OLDHANDLE",
            "OLDEXTERNAL",
            "OLDTEXT",
            "OLDNOTE",
            "topic of OLDHANDLE",
            "ASHFIELDHANDLE",
            "ASHTEXT",
        ):
            assert gone not in everything, gone
        assert "RECENTTEXT" in everything and "RECENTEXTERNAL" in everything
        assert session.scalar(select(AuthorRow).where(AuthorRow.handle == "OLDHANDLE")) is None
        assert session.get(CommentRow, old).purged_at is not None  # type: ignore[union-attr]
        decision = session.scalar(select(OfficerDecisionRow).where(OfficerDecisionRow.comment_id == old))
        assert decision is not None and decision.action == "remove" and decision.labels == {"abuse": 1}


def webhook(session: Session, api: Api, marker: str, received: datetime) -> None:
    """A Meta delivery of a comment whose text, author id, author name and comment id carry `marker`."""
    payload = page_comment(comment_id=f"{marker}OBJECT", text=f"{marker}TEXT you idiot")
    payload["entry"][0]["changes"][0]["value"]["from"] = {"id": f"{marker}AUTHOR", "name": f"{marker} NAME"}
    inbound.receive(session, source="meta", body=body(payload), now=received)
    state = api.client.app.state.triage  # type: ignore[attr-defined]
    intake = Intake(lambda: api.scorer, state.triage.profiles, state.sessions, clock=lambda: received)
    inbound.process_pending(state.sessions, intake, now=received)


def test_purge_leaves_nothing_personal_of_connector_comments_in_any_table(database_url: str) -> None:
    for api in make_api(database_url, FakeScorer(), connector_worker=False):  # this test runs the worker
        _purge_after_webhooks(api)


def _purge_after_webhooks(api: Api) -> None:
    with session_of(api) as session:
        connections.add(
            session,
            council="swale",
            platform="facebook",
            account_id="PAGE1",
            token_env="T",
            mode="shadow",
            actor="test",
            now=NOW,
        )
        webhook(session, api, "OLDRAW", NOW - timedelta(days=400))
        webhook(session, api, "NEWRAW", NOW - timedelta(days=40))
        old = session.scalar(select(CommentRow.id).where(CommentRow.external_id == "OLDRAWOBJECT"))
        assert old is not None
        outbox.enqueue_reply(session, comment_id=old, text="OLDRAWREPLY to you", key="k1", now=NOW)
        session.commit()
        assert "OLDRAW NAME" in every_value(session)  # only the raw body holds the name
        report = privacy.purge_expired(session, days_for=lambda council: 365, now=NOW)
        session.commit()
        assert report.councils["swale"]["purged"] == 1 and (report.raw_days, report.raw_deliveries) == (365, 1)
        everything = every_value(session)
        for gone in ("OLDRAWTEXT", "OLDRAWAUTHOR", "OLDRAW NAME", "OLDRAWOBJECT", "OLDRAWREPLY"):
            assert gone not in everything, gone
        assert "NEWRAW NAME" in everything and "NEWRAWTEXT" in everything


def test_an_author_with_a_warning_loses_the_row_when_every_comment_is_purged(api: Api) -> None:
    first = post(api, "warned", "w1", "you idiot")
    with session_of(api) as session:
        author = session.scalar(select(AuthorRow).where(AuthorRow.handle == "warned"))
        assert author is not None  # swale warns first-time abusers
        age(session, first, 400)
        privacy.purge_expired(session, days_for=lambda council: 365, now=NOW)
        session.commit()
        assert session.scalar(select(AuthorRow).where(AuthorRow.handle == "warned")) is None


@pytest.mark.parametrize("days", ["-1", "0", "abc"])
def test_purge_refuses_periods_under_a_day(api: Api, monkeypatch: pytest.MonkeyPatch, days: str) -> None:
    comment = post(api, "sam", "s1", "hello there")
    use_database(monkeypatch, api)
    result = CliRunner().invoke(cli, ["purge", "--older-than", days])
    assert result.exit_code == 2, result.output
    with session_of(api) as session:
        assert session.get(CommentRow, comment).text == "hello there"  # type: ignore[union-attr]


def test_the_purge_command_uses_the_profiles_retention(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    recent, old = post(api, "sam", "s1", "recent"), post(api, "sam", "s2", "old")
    with session_of(api) as session:
        age(session, recent, 300)
        age(session, old, 366)
    use_database(monkeypatch, api)
    result = CliRunner().invoke(cli, ["purge"])
    assert result.exit_code == 0 and "swale: purged 1 comments older than 365 days" in result.output
    with session_of(api) as session:
        assert session.get(CommentRow, recent).text == "recent" and session.get(CommentRow, old).text is None  # type: ignore[union-attr]


def test_every_shipped_profile_has_a_retention_period_and_bad_ones_are_refused(tmp_path: Path) -> None:
    assert all(profile_by_name(name).retention_days >= 1 for name in shipped_profiles())
    assert privacy.retention_days(Settings(), "swale") == profile_by_name("swale").retention_days
    text = shipped_profiles()["default"].read_text()
    for bad in ("0", "-5", '"a year"'):
        path = tmp_path / "bad.toml"
        path.write_text(text.replace("retention_days = 365", f"retention_days = {bad}"))
        with pytest.raises(ProfileError, match="retention_days"):
            load_profile(path)


def test_first_run_admin_password_goes_to_an_owner_only_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from triage_cli.service import ensure_admin, open_sessions

    secret_file = tmp_path / "secrets" / "admin-password"
    monkeypatch.setenv("TRIAGE_DATABASE_URL", f"sqlite:///{tmp_path / 'triage.db'}")
    monkeypatch.setenv("TRIAGE_ADMIN_PASSWORD_FILE", str(secret_file))
    get_settings.cache_clear()
    result = CliRunner().invoke(_typer_of(ensure_admin), [])
    assert result.exit_code == 0, result.output
    password = secret_file.read_text().strip()
    assert stat.S_IMODE(os.stat(secret_file).st_mode) == 0o600
    assert password not in result.output and str(secret_file) in result.output
    with open_sessions()() as session:
        assert authenticate(session, username="admin", password=password) is not None


def _typer_of(function: Any) -> Any:
    import typer

    wrapper = typer.Typer()
    wrapper.command()(function)
    return wrapper
