"""Finding 3: sessions live on the server, so sign-out, disabling an account and a password change
end them everywhere; idle and absolute timeouts; `triage user ...` refuses cleanly."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select, update
from typer.testing import CliRunner

from tests.api.conftest import PASSWORD, Api, make_api
from tests.conftest import FakeScorer
from triage.storage.tables import AuditEventRow, UserRow

NEW_PASSWORD = "tidal basin lantern orchard"


@pytest.fixture
def api(database_url: str, clean_env: pytest.MonkeyPatch) -> Iterator[Api]:
    """The API, with the CLI pointed at the same database."""
    clean_env.setenv("TRIAGE_DATABASE_URL", database_url)
    yield from make_api(database_url, FakeScorer())


def cli(*args: str) -> tuple[int, str]:
    from triage_cli.main import app

    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def signed_in_cookie(api: Api, username: str, password: str = PASSWORD) -> str:
    api.client.cookies.clear()
    response = api.client.post("/v1/session", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return response.cookies["triage_session"]


def review_status(api: Api, cookie: str) -> int:
    api.client.cookies.clear()
    api.client.cookies.set("triage_session", cookie)
    return api.client.get("/v1/review").status_code


def age_sessions(api: Api, **columns: timedelta) -> None:
    """Move the stored session times back, as if that much time had passed."""
    from triage.storage.tables import UserSessionRow

    with api.client.app.state.triage.sessions() as session:  # type: ignore[attr-defined]
        for row in session.query(UserSessionRow):
            for column, delta in columns.items():
                setattr(row, column, getattr(row, column) - delta)
        session.commit()


def test_a_cookie_saved_before_sign_out_does_not_replay(api: Api) -> None:
    cookie = signed_in_cookie(api, "olive")
    assert review_status(api, cookie) == 200
    assert api.client.post("/v1/session/logout").status_code == 204
    assert review_status(api, cookie) == 401


def test_ui_sign_out_ends_the_session_on_the_server(api: Api) -> None:
    from tests.api.test_ui import csrf, sign_in

    sign_in(api, "olive")
    cookie = api.client.cookies["triage_session"]
    api.client.post("/logout", data={"csrf": csrf(api, "/review")}, follow_redirects=False)
    api.client.cookies.set("triage_session", cookie)
    assert api.client.get("/review", follow_redirects=False).headers["location"] == "/login"


def test_disabling_an_account_ends_its_sessions_and_enabling_does_not_revive_them(api: Api) -> None:
    cookie, other = signed_in_cookie(api, "olive"), signed_in_cookie(api, "mona")
    code, output = cli("user", "disable", "olive")
    assert code == 0 and "1 open session(s) ended" in output
    assert review_status(api, cookie) == 401
    assert api.client.post("/v1/session", json={"username": "olive", "password": PASSWORD}).status_code == 401
    assert review_status(api, other) == 200  # someone else's session is untouched
    assert cli("user", "enable", "olive")[0] == 0
    assert review_status(api, cookie) == 401  # the old session stays ended: sign in again
    signed_in_cookie(api, "olive")
    with api.client.app.state.triage.sessions() as session:  # type: ignore[attr-defined]
        kinds = list(session.scalars(select(AuditEventRow.kind).where(AuditEventRow.kind.like("account_%"))))
    assert kinds == ["account_disabled", "account_enabled"]


def test_a_password_change_ends_every_session(api: Api) -> None:
    first, second = signed_in_cookie(api, "olive"), signed_in_cookie(api, "olive")
    code, output = cli("user", "set-password", "olive", "--password", NEW_PASSWORD)
    assert code == 0 and "2 open session(s) ended" in output
    assert review_status(api, first) == 401 and review_status(api, second) == 401
    assert api.client.post("/v1/session", json={"username": "olive", "password": PASSWORD}).status_code == 401
    signed_in_cookie(api, "olive", NEW_PASSWORD)


def test_a_weak_new_password_is_refused_and_the_old_one_kept(api: Api) -> None:
    code, output = cli("user", "set-password", "olive", "--password", "password12")
    assert code == 1 and "too common" in output
    signed_in_cookie(api, "olive")


def test_an_idle_session_ends(api: Api) -> None:
    cookie = signed_in_cookie(api, "olive")
    age_sessions(
        api, last_seen_at=timedelta(minutes=api.client.app.state.triage.settings.session_idle_minutes, seconds=1)
    )  # type: ignore[attr-defined]
    assert review_status(api, cookie) == 401


def test_a_busy_session_still_ends_at_the_absolute_timeout(api: Api) -> None:
    cookie = signed_in_cookie(api, "olive")
    absolute = timedelta(hours=api.client.app.state.triage.settings.session_absolute_hours, seconds=1)  # type: ignore[attr-defined]
    age_sessions(api, created_at=absolute)
    assert review_status(api, cookie) == 401


def test_a_session_in_use_is_kept_alive(api: Api) -> None:
    cookie = signed_in_cookie(api, "olive")
    age_sessions(api, last_seen_at=timedelta(minutes=20), created_at=timedelta(minutes=20))
    assert review_status(api, cookie) == 200  # seen now: the idle clock starts again
    age_sessions(api, last_seen_at=timedelta(minutes=20), created_at=timedelta(minutes=20))
    assert review_status(api, cookie) == 200


def test_a_disabled_account_flag_alone_also_refuses(api: Api) -> None:
    cookie = signed_in_cookie(api, "olive")
    with api.client.app.state.triage.sessions() as session:  # type: ignore[attr-defined]
        session.execute(update(UserRow).where(UserRow.username == "olive").values(disabled=True))
        session.commit()
    assert review_status(api, cookie) == 401


def test_creating_an_existing_user_is_a_clean_refusal(api: Api) -> None:
    code, output = cli("user", "create", "olive", "--role", "admin", "--password", NEW_PASSWORD)
    assert code == 1 and "exists" in output and "set-password" in output
    assert "argon2" not in output and "IntegrityError" not in output and "Traceback" not in output
    assert cli("user", "disable", "nobody")[0] == 1


def test_a_name_taken_by_a_racing_create_is_a_clean_refusal(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another process inserts the name between the check and the insert: the unique constraint
    refuses the row, and storage says so as an account refusal (no database error escapes)."""
    from triage.storage import accounts

    monkeypatch.setattr(accounts, "find_user", lambda session, username: None)
    code, output = cli("user", "create", "olive", "--role", "admin", "--password", NEW_PASSWORD)
    assert code == 1 and "refused: an account named 'olive' exists" in output
    assert "IntegrityError" not in output and "Traceback" not in output


def test_user_create_refuses_common_passwords(api: Api) -> None:
    code, output = cli("user", "create", "newbie", "--role", "officer", "--password", "1234567890")
    assert code == 1 and "too common" in output
    assert cli("user", "create", "newbie", "--role", "officer", "--password", NEW_PASSWORD)[0] == 0
