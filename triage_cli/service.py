"""`triage serve`, `apikey`, `sar` and `purge`: running the service, its keys and personal data."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer

from triage import privacy
from triage.config import get_settings
from triage.labels import API_SCOPES
from triage.private_file import write_private
from triage.shared_state import forget_revoked_key
from triage.storage.accounts import api_keys, create_api_key, create_user, has_admin, revoke_api_key
from triage.storage.db import make_engine, migrate, session_factory

apikey_app = typer.Typer(help="API keys for platform integrations.", no_args_is_help=True)


def open_sessions():
    url = get_settings().database_url
    migrate(url)
    return session_factory(make_engine(url))


def now_utc() -> datetime:
    return datetime.now(UTC)


def ensure_admin() -> None:
    """A first run gets an admin account; its password goes to a file only the owner can read
    (the terminal that runs the server is often its log), and only the file's path is printed."""
    with open_sessions()() as session:
        if not has_admin(session):
            password = secrets.token_urlsafe(12)
            create_user(
                session, username="admin", password=password, role="admin", councils=all_councils(), now=now_utc()
            )
            path = write_private(get_settings().admin_password_file, password + "\n")
            session.commit()
            typer.echo(f"created user 'admin'; its password is in {path} (readable by you only)")


def all_councils() -> list[str]:
    from triage.policy.profile import known_councils

    return known_councils(get_settings().council_profiles)


def check_secret_or_exit() -> None:
    """Refuse to start on a known or weak secret, saying what to do (no traceback)."""
    from pydantic import ValidationError

    from triage.secret_key import SecretRefused

    try:
        get_settings().signing_secret()
    except (SecretRefused, ValidationError) as error:
        typer.echo(f"refused to start: {error}", err=True)
        raise typer.Exit(2) from None


def serve(host: str = "127.0.0.1", port: int = 8000, workers: int = 1) -> None:
    """Run the API (database from TRIAGE_DATABASE_URL, default a SQLite file) with the shipped model."""
    import logging

    import uvicorn

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    check_secret_or_exit()  # before the workers start: one writes the first-run secret, all read it
    migrate(get_settings().database_url)
    ensure_admin()
    if workers > 1 and get_settings().database_url.startswith("sqlite"):
        import os

        os.environ["TRIAGE_CONNECTOR_WORKER"] = "false"  # SQLite: one connector worker only
        typer.echo("several API processes on SQLite: run the connector worker apart with `triage worker`")
    # No access log: paths and queries can carry handles; our middleware logs route templates only.
    uvicorn.run("serve.app:create_app", factory=True, host=host, port=port, workers=workers, access_log=False)


@apikey_app.command("create")
def apikey_create(
    name: str,
    council: Annotated[list[str], typer.Option(help="council(s) the key serves")],
    scope: Annotated[list[str] | None, typer.Option(help=f"scopes: {', '.join(API_SCOPES)}")] = None,
    expires_in_days: Annotated[int | None, typer.Option(min=1, help="the key stops working after this")] = None,
) -> None:
    """Create a key and print it once."""
    now = now_utc()
    expires_at = now + timedelta(days=expires_in_days) if expires_in_days else None
    with open_sessions()() as session:
        scopes = scope or ["comments:write", "comments:read"]
        key = create_api_key(session, name=name, councils=council, scopes=scopes, now=now, expires_at=expires_at)
        session.commit()
    typer.echo(key)


@apikey_app.command("revoke")
def apikey_revoke(prefix: Annotated[str, typer.Argument(help="the part after tri_ in the key")]) -> None:
    with open_sessions()() as session:
        if not revoke_api_key(session, prefix=prefix, now=now_utc()):
            raise typer.BadParameter(f"no key with prefix {prefix}")
        session.commit()
    forget_revoked_key(get_settings().redis_url, prefix)  # with Redis: refused at once by every server
    typer.echo(f"revoked {prefix}")


@apikey_app.command("list")
def apikey_list() -> None:
    with open_sessions()() as session:
        for row in api_keys(session):
            state = (
                "revoked" if row.revoked_at else f"expires {row.expires_at:%Y-%m-%d}" if row.expires_at else "active"
            )
            typer.echo(f"{row.prefix}  {row.name}  {','.join(row.councils)}  {','.join(row.scopes)}  {state}")


def sar(
    handle: str,
    output: Annotated[Path | None, typer.Option(help="file to write (default: print)")] = None,
    council: Annotated[list[str] | None, typer.Option(help="only these councils (default: all)")] = None,
) -> None:
    """Subject access export (UK GDPR art. 15): everything held about an author handle, grouped
    per council and platform (format: docs/SECURITY.md)."""
    with open_sessions()() as session:
        export = privacy.subject_access(session, handle=handle, councils=council, now=now_utc())
        session.commit()
    text = json.dumps(export, indent=2, ensure_ascii=False)
    if output:
        write_private(output, text)
        count = sum(len(group["comments"]) for group in export["groups"])
        typer.echo(f"wrote {count} comments in {len(export['groups'])} council/platform groups to {output}")
    else:
        typer.echo(text)


def purge(
    older_than: Annotated[
        int | None, typer.Option(help="days, at least 1, for every council (default: each profile's retention_days)")
    ] = None,
) -> None:
    """Purge what identifies people from comments past retention; decisions and the audit trail stay."""
    settings = get_settings()
    try:
        days = privacy.checked_days(older_than) if older_than is not None else None
    except privacy.RetentionError as error:
        raise typer.BadParameter(str(error), param_hint="--older-than") from None
    with open_sessions()() as session:
        report = privacy.purge_expired(
            session, days_for=lambda council: days or privacy.retention_days(settings, council), now=now_utc()
        )
        session.commit()
    for council, figures in report.councils.items():
        typer.echo(f"{council}: purged {figures['purged']} comments older than {figures['days']} days")
    if report.raw_days is not None:
        typer.echo(f"raw webhook deliveries: blanked {report.raw_deliveries} older than {report.raw_days} days")
