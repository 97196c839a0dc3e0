"""Connections as library commands: add, list, remove, switch mode, resume; tokens read where named."""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from triage.labels import CONNECTION_MODES, PLATFORMS
from triage.storage import connections as store
from triage.storage import outbox as outbox_store
from triage.storage import repo
from triage.storage.connections import Connection

ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]{0,199}$")
WHAT_TO_DO = {
    "token_invalid": "the token has expired or was revoked: issue a new one (Meta: a long-lived Page token; "
    "X: a user token with tweet.moderate.write), put it where the connection reads it, then run "
    "`triage connection resume --id {id}`",
    "permission_missing": "the token lacks a permission the action needs (see docs/CONNECTORS.md): grant it, "
    "then run `triage connection resume --id {id}`",
    "token_missing": "the token's environment variable or file is not set on the worker: set it, "
    "then run `triage connection resume --id {id}`",
}


class ConnectionError_(ValueError):
    """A connection command that cannot be done: says why."""


class TokenUnavailable(RuntimeError):
    """The connection's token cannot be read (never carries the token)."""


@dataclass(frozen=True)
class ConnectionView:
    id: int
    council: str
    platform: str
    account_id: str
    mode: str
    status: str
    token_source: str  # "env:NAME" or "file:PATH": where, never what
    what_to_do: str
    paused_until: datetime | None


def view(row: Connection) -> ConnectionView:
    source = f"env:{row.token_env}" if row.token_env else f"file:{row.token_file}"
    todo = WHAT_TO_DO.get(row.status, "").format(id=row.id)
    return ConnectionView(
        row.id, row.council, row.platform, row.account_id, row.mode, row.status, source, todo, row.paused_until
    )


def _check(platform: str, mode: str, token_env: str | None, token_file: str | None) -> None:
    if platform not in PLATFORMS:
        raise ConnectionError_(f"unknown platform {platform!r}: use {', '.join(PLATFORMS)}")
    if mode not in CONNECTION_MODES:
        raise ConnectionError_(f"unknown mode {mode!r}: use {', '.join(CONNECTION_MODES)}")
    if bool(token_env) == bool(token_file):
        raise ConnectionError_("name exactly one of --token-env (a variable's name) or --token-file")
    if token_env and not ENV_NAME.match(token_env):
        raise ConnectionError_("--token-env takes the NAME of an environment variable (A-Z, 0-9, _), not a token")


def add(
    session: Session,
    *,
    council: str,
    platform: str,
    account_id: str,
    token_env: str | None = None,
    token_file: str | None = None,
    mode: str = "shadow",
    actor: str,
    now: datetime,
) -> ConnectionView:
    """Connect an account (shadow mode unless told otherwise); committed."""
    _check(platform, mode, token_env, token_file)
    if not council or not account_id:
        raise ConnectionError_("a council and an account id are needed")
    known = store.connection(session, platform=platform, account_id=account_id)
    if known is not None and known.status != "removed":
        raise ConnectionError_(f"{platform} account {account_id} is already connected (connection {known.id})")
    row = store.connect(
        session,
        platform=platform,
        account_id=account_id,
        council=council,
        token_env=token_env,
        token_file=token_file,
        mode=mode,
        now=now,
    )
    _audit(session, row, actor, "connection_added", now, {"mode": mode})
    session.commit()
    return view(row)


def _get(session: Session, connection_id: int, councils: list[str] | None = None) -> Connection:
    row = store.connection_by_id(session, connection_id=connection_id)
    if row is None or row.status == "removed" or (councils is not None and row.council not in councils):
        raise ConnectionError_(f"no connection {connection_id}")
    return row


def _audit(session: Session, row: Connection, actor: str, kind: str, now: datetime, detail: dict[str, object]) -> None:
    repo.audit(
        session,
        actor=actor,
        kind=kind,
        subject=f"connection:{row.id}",
        council=row.council,
        detail={"platform": row.platform, **detail},
        now=now,
    )


def listing(session: Session, *, council: str | None = None) -> list[ConnectionView]:
    return [view(row) for row in store.connections(session, council=council)]


def set_mode(session: Session, *, connection_id: int, mode: str, actor: str, now: datetime) -> ConnectionView:
    """Shadow -> live sends future actions only: what shadow mode recorded stays a record."""
    if mode not in CONNECTION_MODES:
        raise ConnectionError_(f"unknown mode {mode!r}: use {', '.join(CONNECTION_MODES)}")
    row = _get(session, connection_id)
    before, row.mode, row.updated_at = row.mode, mode, now
    _audit(session, row, actor, "connection_mode", now, {"from": before, "to": mode})
    session.commit()
    return view(row)


def remove(session: Session, *, connection_id: int, actor: str, now: datetime) -> int:
    """Disconnect: unsent actions are cancelled, history stays. Returns the count cancelled."""
    row = _get(session, connection_id)
    row.status, row.mode, row.updated_at = "removed", "shadow", now
    cancelled = outbox_store.cancel_unsent(session, connection_id=row.id)
    _audit(session, row, actor, "connection_removed", now, {"cancelled": cancelled})
    session.commit()
    return cancelled


def resume(
    session: Session, *, connection_id: int, actor: str, now: datetime, councils: list[str] | None = None
) -> ConnectionView:
    """After a new token or permission: deliveries start again (the worker re-checks it). With
    `councils` (an admin on the dashboard), only a connection of those councils."""
    row = _get(session, connection_id, councils)
    before, row.status, row.status_detail, row.paused_until, row.updated_at = row.status, "active", "", None, now
    _audit(session, row, actor, "connection_resumed", now, {"was": before})
    session.commit()
    return view(row)


def stop(session: Session, *, row: Connection, status: str, detail: str, now: datetime) -> None:
    """Stop a connection's deliveries (expired token, lost permission); not committed."""
    row.status, row.status_detail, row.updated_at = status, detail[:500], now
    _audit(session, row, "worker", "connection_stopped", now, {"status": status})


def read_token(row: Connection, environ: dict[str, str] | None = None) -> str:
    """The token from the named environment variable or a file only its owner can read."""
    environ = dict(os.environ) if environ is None else environ
    if row.token_env:
        token = environ.get(row.token_env, "").strip()
        if not token:
            raise TokenUnavailable(f"environment variable {row.token_env} is not set")
        return token
    path = Path(row.token_file or "")
    try:
        info = path.stat()
    except OSError:
        raise TokenUnavailable(f"token file {path} cannot be read") from None
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO) or info.st_uid != os.getuid():
        raise TokenUnavailable(f"token file {path} must be owned by this user and unreadable to others (chmod 600)")
    token = path.read_text().strip()
    if not token:
        raise TokenUnavailable(f"token file {path} is empty")
    return token
