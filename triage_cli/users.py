"""`triage user create|set-password|disable|enable`: people's accounts, with clean refusals."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from triage.storage.accounts import ROLES, create_user, set_disabled, set_password
from triage_cli.service import all_councils, now_utc, open_sessions

user_app = typer.Typer(help="People: officers, managers, data scientists, admins.", no_args_is_help=True)
Password = Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)]


@contextmanager
def refusals() -> Iterator[None]:
    """An account refusal (name taken, even by a racing create; weak password; unknown name) is
    one line and exit code 1."""
    try:
        yield
    except ValueError as error:  # AccountError, PasswordRefused: messages never carry a hash
        typer.echo(f"refused: {error}", err=True)
        raise typer.Exit(1) from None


@user_app.command("create")
def user_create(
    name: str,
    role: Annotated[str, typer.Option(help=f"one of {', '.join(ROLES)}")],
    council: Annotated[list[str] | None, typer.Option(help="councils (default: all)")] = None,
    password: Password = "",
) -> None:
    """Create a person's account (asks for the password when --password is absent)."""
    with refusals(), open_sessions()() as session:
        councils = council or all_councils()
        create_user(session, username=name, password=password, role=role, councils=councils, now=now_utc())
        session.commit()
    typer.echo(f"created {role} {name}")


@user_app.command("set-password")
def user_set_password(name: str, password: Password = "") -> None:
    """Change a person's password; every session they have open ends."""
    with refusals(), open_sessions()() as session:
        ended = set_password(session, username=name, password=password, now=now_utc())
        session.commit()
    typer.echo(f"password of {name} changed; {ended} open session(s) ended")


@user_app.command("disable")
def user_disable(name: str) -> None:
    """Stop a person signing in; every session they have open ends at once."""
    with refusals(), open_sessions()() as session:
        ended = set_disabled(session, username=name, disabled=True, now=now_utc())
        session.commit()
    typer.echo(f"disabled {name}; {ended} open session(s) ended")


@user_app.command("enable")
def user_enable(name: str) -> None:
    """Let a disabled person sign in again."""
    with refusals(), open_sessions()() as session:
        set_disabled(session, username=name, disabled=False, now=now_utc())
        session.commit()
    typer.echo(f"enabled {name}")
