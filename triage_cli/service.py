"""`triage serve`, `apikey`, `user`, `sar` and `purge`: running the service and its accounts."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import select

from triage.config import get_settings
from triage.storage import repo
from triage.storage.accounts import API_SCOPES, ROLES, create_api_key, create_user, revoke_api_key
from triage.storage.db import make_engine, migrate, session_factory
from triage.storage.tables import ApiKeyRow, AuthorRow, CommentRow, DecisionRow, OfficerDecisionRow, ScoreRow, UserRow

apikey_app = typer.Typer(help="API keys for platform integrations.", no_args_is_help=True)
user_app = typer.Typer(help="People: officers, managers, data scientists, admins.", no_args_is_help=True)


def open_sessions():
    url = get_settings().database_url
    migrate(url)
    return session_factory(make_engine(url))


def now_utc() -> datetime:
    return datetime.now(UTC)


def ensure_admin() -> None:
    """A first run gets an admin account; its password is printed once."""
    with open_sessions()() as session:
        if session.scalar(select(UserRow).where(UserRow.role == "admin")) is None:
            password = secrets.token_urlsafe(12)
            create_user(
                session, username="admin", password=password, role="admin", councils=_all_councils(), now=now_utc()
            )
            session.commit()
            typer.echo(
                f"created user 'admin' with password {password} (shown once; change it with `triage user create`)"
            )


def _all_councils() -> list[str]:
    from triage.policy import shipped_profiles

    settings = get_settings()
    return sorted(set(shipped_profiles()) - {"default"} | set(settings.council_profiles))


def serve(host: str = "127.0.0.1", port: int = 8000, workers: int = 1) -> None:
    """Run the API (database from TRIAGE_DATABASE_URL, default a SQLite file) with the shipped model."""
    import logging

    import uvicorn

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    migrate(get_settings().database_url)
    ensure_admin()
    if workers > 1 and get_settings().database_url.startswith("sqlite"):
        import os

        os.environ["TRIAGE_CONNECTOR_WORKER"] = "false"  # SQLite: one connector worker only
        typer.echo("several API processes on SQLite: run the connector worker apart with `triage worker`")
    # No access log: paths and queries can carry handles; our middleware logs route templates only.
    uvicorn.run("serve.app:create_app", factory=True, host=host, port=port, workers=workers, access_log=False)


@apikey_app.command("create")
def apikey_create(name: str, council: Annotated[list[str], typer.Option(help="council(s) the key serves")],
                  scope: Annotated[list[str] | None, typer.Option(help=f"scopes: {', '.join(API_SCOPES)}")] = None) -> None:  # fmt: skip
    """Create a key and print it once."""
    with open_sessions()() as session:
        key = create_api_key(
            session, name=name, councils=council, scopes=scope or ["comments:write", "comments:read"], now=now_utc()
        )
        session.commit()
    typer.echo(key)


@apikey_app.command("revoke")
def apikey_revoke(prefix: Annotated[str, typer.Argument(help="the part after tri_ in the key")]) -> None:
    with open_sessions()() as session:
        if not revoke_api_key(session, prefix=prefix, now=now_utc()):
            raise typer.BadParameter(f"no key with prefix {prefix}")
        session.commit()
    typer.echo(f"revoked {prefix}")


@apikey_app.command("list")
def apikey_list() -> None:
    with open_sessions()() as session:
        for row in session.scalars(select(ApiKeyRow)):
            state = "revoked" if row.revoked_at else "active"
            typer.echo(f"{row.prefix}  {row.name}  {','.join(row.councils)}  {','.join(row.scopes)}  {state}")


@user_app.command("create")
def user_create(name: str, role: Annotated[str, typer.Option(help=f"one of {', '.join(ROLES)}")],
                council: Annotated[list[str] | None, typer.Option(help="councils (default: all)")] = None,
                password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)] = "") -> None:  # fmt: skip
    """Create a person's account (asks for the password when --password is absent)."""
    with open_sessions()() as session:
        create_user(
            session, username=name, password=password, role=role, councils=council or _all_councils(), now=now_utc()
        )
        session.commit()
    typer.echo(f"created {role} {name}")


def sar(
    handle: str, output: Annotated[Path | None, typer.Option(help="file to write (default: print)")] = None
) -> None:
    """Subject access export (UK GDPR art. 15): everything stored about an author handle."""
    with open_sessions()() as session:
        comments = list(session.scalars(select(CommentRow).where(CommentRow.author_handle == handle)))
        export = {"handle": handle, "exported_at": now_utc().isoformat(), "authors": [], "comments": []}
        for author in session.scalars(select(AuthorRow).where(AuthorRow.handle == handle)):
            export["authors"].append({"council": author.council, "platform": author.platform, "warnings": author.warnings,
                                      "blocked": author.blocked, "appeal_after": str(author.appeal_after or "")})  # fmt: skip
        for c in comments:
            export["comments"].append({
                "id": c.id, "council": c.council, "platform": c.platform, "post_id": c.post_id, "text": c.text,
                "received_at": c.received_at.isoformat(),
                "scores": [s.scores for s in session.scalars(select(ScoreRow).where(ScoreRow.comment_id == c.id))],
                "decisions": [{"action": d.action, "flags": d.flags, "at": d.created_at.isoformat()}
                              for d in session.scalars(select(DecisionRow).where(DecisionRow.comment_id == c.id))],
                "officer_decisions": [{"action": o.action, "reason_code": o.reason_code, "at": o.created_at.isoformat()}
                                      for o in session.scalars(select(OfficerDecisionRow).where(OfficerDecisionRow.comment_id == c.id))],
            })  # fmt: skip
        repo.audit(session, actor="cli", kind="subject_access_export", subject="author", council=None,
                   detail={"comments": len(comments)}, now=now_utc())  # fmt: skip
        session.commit()
    text = json.dumps(export, indent=2)
    if output:
        output.write_text(text)
        typer.echo(f"wrote {len(export['comments'])} comments to {output}")
    else:
        typer.echo(text)


def purge(older_than: Annotated[int, typer.Option(help="days; default the retention period")] = 0) -> None:
    """Remove comment text and handles past retention; decisions and the audit trail stay."""
    days = older_than or get_settings().retention_days
    with open_sessions()() as session:
        count = repo.purge_text(session, before=now_utc() - timedelta(days=days), now=now_utc())
        repo.audit(
            session,
            actor="cli",
            kind="retention_purge",
            subject="comments",
            council=None,
            detail={"purged": count, "days": days},
            now=now_utc(),
        )
        session.commit()
    typer.echo(f"purged the text of {count} comments older than {days} days")
