"""Finding 1: a service started as the README says never accepts a known or weak signing secret."""

from __future__ import annotations

import base64
import json
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from itsdangerous import TimestampSigner
from pydantic import ValidationError
from typer.testing import CliRunner

from serve.app import create_app
from tests.conftest import FakeScorer
from triage.config import Settings
from triage.storage.accounts import create_user

PLACEHOLDER = "change-me-in-production"
PASSWORD = "correct horse battery"


def signed_cookie(payload: dict[str, object], secret: str) -> str:
    """A session cookie as Starlette's SessionMiddleware writes it."""
    data = base64.b64encode(json.dumps(payload).encode())
    return TimestampSigner(secret).sign(data).decode()


def cookie_payload(cookie: str) -> dict[str, object]:
    return json.loads(base64.b64decode(cookie.rsplit(".", 2)[0]))  # type: ignore[no-any-return]


def default_install(tmp_path: Path) -> Settings:
    """What `make serve` runs: no TRIAGE_* variables, a SQLite file, the development environment."""
    return Settings(database_url=f"sqlite:///{tmp_path / 'triage.db'}")


def test_a_cookie_signed_with_the_old_placeholder_is_refused_on_a_default_install(clean_env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app = create_app(default_install(tmp_path), scorer=FakeScorer())
    with TestClient(app) as client:
        with app.state.triage.sessions() as session:
            now = datetime.now(UTC)
            admin = create_user(session, username="admin", password=PASSWORD, role="admin", councils=[], now=now)
            session.commit()
        assert admin.id == 1
        client.cookies.set("triage_session", signed_cookie({"user_id": 1}, PLACEHOLDER))
        assert client.get("/v1/review").status_code == 401
        assert client.get("/review", follow_redirects=False).headers["location"] == "/login"
        # Even a real session's payload, signed again with the placeholder, is refused.
        client.cookies.clear()
        signed_in = client.post("/v1/session", json={"username": "admin", "password": PASSWORD})
        assert signed_in.status_code == 200
        payload = cookie_payload(signed_in.cookies["triage_session"])
        assert client.get("/v1/review").status_code == 200
        client.cookies.clear()
        client.cookies.set("triage_session", signed_cookie(payload, PLACEHOLDER))
        assert client.get("/v1/review").status_code == 401


def test_a_default_install_generates_a_strong_secret_kept_owner_only(clean_env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from triage.secret_key import SECRET_FILE_NAME, check_secret

    settings = default_install(tmp_path)
    secret = settings.signing_secret()
    kept = tmp_path / SECRET_FILE_NAME
    assert kept.read_text().strip() == secret and secret != PLACEHOLDER and len(secret) >= 32
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    check_secret(secret)
    assert default_install(tmp_path).signing_secret() == secret  # kept across restarts: sessions survive


@pytest.mark.parametrize("environment", ["development", "production"])
@pytest.mark.parametrize(
    "secret", [PLACEHOLDER, "x", "s3cr3t-but-short", "a" * 40, "abcd" * 10, "0123456789abcdef" * 2, "password" * 5]
)
def test_known_short_and_repetitive_secrets_are_refused_in_every_environment(
    clean_env, environment: str, secret: str
) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError, match="TRIAGE_SECRET_KEY"):
        Settings(environment=environment, secret_key=secret)


def test_a_random_secret_is_accepted_in_production(clean_env) -> None:  # type: ignore[no-untyped-def]
    import secrets

    secret = secrets.token_urlsafe(32)
    assert Settings(environment="production", secret_key=secret).signing_secret() == secret


def test_production_never_invents_a_secret(clean_env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from triage.secret_key import SECRET_FILE_NAME, SecretRefused

    settings = Settings(environment="production", database_url=f"sqlite:///{tmp_path / 'triage.db'}")
    with pytest.raises(SecretRefused, match="TRIAGE_SECRET_KEY"):
        settings.signing_secret()
    assert not (tmp_path / SECRET_FILE_NAME).exists()


def test_a_secret_file_others_can_read_is_refused(clean_env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from triage.secret_key import SECRET_FILE_NAME, SecretRefused

    settings = default_install(tmp_path)
    settings.signing_secret()
    (tmp_path / SECRET_FILE_NAME).chmod(0o644)
    with pytest.raises(SecretRefused, match="chmod 600"):
        settings.signing_secret()


def test_serve_refuses_to_start_on_a_weak_secret_and_says_what_to_do(clean_env) -> None:  # type: ignore[no-untyped-def]
    from triage_cli.main import app

    clean_env.setenv("TRIAGE_SECRET_KEY", "x")
    result = CliRunner().invoke(app, ["serve"])
    assert result.exit_code == 2
    assert "fewer than 32" in result.output and "secrets.token_urlsafe" in result.output


@pytest.mark.parametrize(
    ("url", "folder"),
    [
        ("sqlite:///{tmp}/data/triage.db", "{tmp}/data"),
        ("sqlite://", "{cwd}"),
        ("sqlite:///:memory:", "{cwd}"),
        ("postgresql+psycopg://triage@db.internal:5432/triage", "{cwd}"),
    ],
)
def test_the_kept_secret_lies_beside_a_sqlite_file_else_in_the_working_folder(
    tmp_path: Path, url: str, folder: str
) -> None:
    from triage.secret_key import SECRET_FILE_NAME, default_secret_file

    expected = Path(folder.format(tmp=tmp_path, cwd=Path.cwd())) / SECRET_FILE_NAME
    assert default_secret_file(url.format(tmp=tmp_path)) == expected.resolve()
