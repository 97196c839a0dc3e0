"""Finding 4: sign-in is throttled per account and per address, failures are audited without the
password or personal data, and passwords follow NCSC guidance (length plus a deny-list)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from tests.api.conftest import PASSWORD, Api, make_api
from tests.conftest import FakeScorer
from triage.storage.accounts import create_user
from triage.storage.tables import AuditEventRow

WRONG = "not-the-password-zq81"


@pytest.fixture
def api(database_url: str) -> Iterator[Api]:
    limits = {"sign_in_account_limit": "3/15 minutes", "sign_in_address_limit": "6/15 minutes"}
    yield from make_api(database_url, FakeScorer(), **limits)


def attempt(api: Api, username: str, password: str) -> int:
    api.client.cookies.clear()
    return api.client.post("/v1/session", json={"username": username, "password": password}).status_code


@pytest.mark.parametrize("password", ["aaaaaaaaaa", "1234567890", "password12", "qwertyuiop", "P@ssw0rd123", "short"])
def test_common_and_short_passwords_are_refused(password: str) -> None:
    from triage.passwords import PasswordRefused, check_password

    with pytest.raises(PasswordRefused):
        check_password(password)


def test_a_password_like_the_user_name_is_refused() -> None:
    from triage.passwords import PasswordRefused, check_password

    with pytest.raises(PasswordRefused):
        check_password("olive.smith1", username="olive.smith")


@pytest.mark.parametrize("password", ["correct horse battery", "tidal basin lantern orchard", "a9Fk2-Lm0qZ"])
def test_passphrases_and_random_passwords_are_accepted(password: str) -> None:
    from triage.passwords import check_password

    check_password(password)


def test_accounts_cannot_be_created_with_a_common_password(api: Api) -> None:
    with api.client.app.state.triage.sessions() as session, pytest.raises(ValueError, match="too common"):  # type: ignore[attr-defined]
        create_user(
            session, username="newbie", password="password12", role="officer", councils=[], now=datetime.now(UTC)
        )


def test_an_account_is_throttled_after_repeated_failures(api: Api) -> None:
    assert [attempt(api, "olive", WRONG) for _ in range(3)] == [401, 401, 401]
    api.client.cookies.clear()
    throttled = api.client.post("/v1/session", json={"username": "olive", "password": PASSWORD})
    assert throttled.status_code == 429 and throttled.json()["code"] == "sign_in_throttled"
    assert int(throttled.headers["Retry-After"]) > 0
    assert attempt(api, "mona", PASSWORD) == 200  # other accounts are not locked out


def test_an_address_is_throttled_across_accounts(api: Api) -> None:
    for number in range(6):
        assert attempt(api, f"guess{number}", WRONG) == 401
    assert attempt(api, "olive", PASSWORD) == 429


def test_a_success_clears_the_account_count(api: Api) -> None:
    assert [attempt(api, "olive", WRONG) for _ in range(2)] == [401, 401]
    assert attempt(api, "olive", PASSWORD) == 200
    assert [attempt(api, "olive", WRONG) for _ in range(2)] == [401, 401]
    assert attempt(api, "olive", PASSWORD) == 200


def test_the_sign_in_page_is_throttled_too(api: Api) -> None:
    from tests.api.test_ui import csrf

    for _ in range(3):
        api.client.post("/login", data={"username": "olive", "password": WRONG, "csrf": csrf(api, "/login")})
    page = api.client.post("/login", data={"username": "olive", "password": PASSWORD, "csrf": csrf(api, "/login")})
    assert page.status_code == 429 and "try again in" in page.text


def test_failed_sign_ins_are_audited_without_password_or_personal_data(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    attempt(api, "olive", WRONG)
    attempt(api, "nobody-zq81", WRONG)
    for _ in range(3):
        attempt(api, "olive", WRONG)
    with api.client.app.state.triage.sessions() as session:  # type: ignore[attr-defined]
        events = list(session.scalars(select(AuditEventRow).where(AuditEventRow.kind == "sign_in_failed")))
        olive = session.scalar(select(AuditEventRow.subject).where(AuditEventRow.kind == "sign_in_failed"))
    assert len(events) == 5
    assert olive is not None and olive.startswith("user:")
    assert {e.subject for e in events} == {olive, "unknown_account"}
    assert {e.detail["reason"] for e in events} == {"bad_credentials", "throttled_by_account"}
    stored = repr([(e.actor, e.subject, e.detail) for e in events])
    logged = caplog.text
    for secret_or_personal in (WRONG, "nobody-zq81", "olive", "testclient"):
        assert secret_or_personal not in stored and secret_or_personal not in logged
    assert "sign-in refused" in logged
