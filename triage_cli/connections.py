"""`triage connection ...`, `triage worker` and `triage outbox retry`: platform connectors from the shell."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer

from triage.config import get_settings
from triage.connectors import connections, outbox, status
from triage.connectors.backfill import backfill
from triage.connectors.intake import Intake
from triage.connectors.platforms import HttpPlatforms
from triage.connectors.worker import Worker
from triage_cli.service import now_utc, open_sessions

app = typer.Typer(help="Connect councils' Facebook Pages, Instagram accounts and X accounts.", no_args_is_help=True)
outbox_app = typer.Typer(help="Platform actions waiting, done or failed.", no_args_is_help=True)
ACTOR = "cli"


def _fail(error: Exception) -> typer.Exit:
    typer.echo(f"error: {error}", err=True)
    return typer.Exit(1)


def _show(view: connections.ConnectionView) -> None:
    line = f"{view.id}\t{view.council}\t{view.platform}\t{view.account_id}\t{view.mode}\t{view.status}\t{view.token_source}"
    typer.echo(line)
    if view.what_to_do:
        typer.echo(f"\tto do: {view.what_to_do}")


@app.command("add")
def add(
    council: Annotated[str, typer.Option(help="the council this account belongs to")],
    platform: Annotated[str, typer.Option(help="facebook, instagram or x")],
    account_id: Annotated[str, typer.Option(help="Page id, Instagram account id or X user id")],
    token_env: Annotated[str | None, typer.Option(help="NAME of the environment variable holding the token")] = None,
    token_file: Annotated[str | None, typer.Option(help="a file only this user can read (chmod 600)")] = None,
    mode: Annotated[str, typer.Option(help="shadow (default: record, send nothing) or live")] = "shadow",
) -> None:
    """Connect an account. It starts in shadow mode unless told otherwise."""
    with open_sessions()() as session:
        try:
            _show(
                connections.add(
                    session,
                    council=council,
                    platform=platform,
                    account_id=account_id,
                    token_env=token_env,
                    token_file=token_file,
                    mode=mode,
                    actor=ACTOR,
                    now=now_utc(),
                )
            )
        except connections.ConnectionError_ as error:
            raise _fail(error) from None


@app.command("list")
def list_(council: Annotated[str | None, typer.Option(help="only this council")] = None) -> None:
    """Connections with their mode, state, where the token is read, and what to do when stopped."""
    with open_sessions()() as session:
        for view in connections.listing(session, council=council):
            _show(view)
        figures = status.overview(session)
    typer.echo(f"dead letters: {figures['dead_letters']}; would have acted (shadow): {figures['would_have_acted']}")


@app.command("set-mode")
def set_mode(connection_id: Annotated[int, typer.Option("--id")], mode: Annotated[str, typer.Option()]) -> None:
    """Switch shadow <-> live. Going live sends future actions only."""
    with open_sessions()() as session:
        try:
            _show(connections.set_mode(session, connection_id=connection_id, mode=mode, actor=ACTOR, now=now_utc()))
        except connections.ConnectionError_ as error:
            raise _fail(error) from None


@app.command("resume")
def resume(connection_id: Annotated[int, typer.Option("--id")]) -> None:
    """Start deliveries again after a new token or permission."""
    with open_sessions()() as session:
        try:
            _show(connections.resume(session, connection_id=connection_id, actor=ACTOR, now=now_utc()))
        except connections.ConnectionError_ as error:
            raise _fail(error) from None


@app.command("remove")
def remove(connection_id: Annotated[int, typer.Option("--id")]) -> None:
    """Disconnect: unsent actions are cancelled; history stays."""
    with open_sessions()() as session:
        try:
            cancelled = connections.remove(session, connection_id=connection_id, actor=ACTOR, now=now_utc())
        except connections.ConnectionError_ as error:
            raise _fail(error) from None
    typer.echo(f"removed connection {connection_id}; {cancelled} unsent action(s) cancelled")


def _intake_and_platforms(sessions):  # type: ignore[no-untyped-def]
    from triage.policy.profile import ProfileError, profile_by_name
    from triage.scoring.registry import load_bundle

    settings = get_settings()

    def profile_for(council: str):  # type: ignore[no-untyped-def]
        try:
            return profile_by_name(settings.profile_for(council))
        except ProfileError:
            return profile_by_name(settings.default_profile)

    try:
        scorer = load_bundle(settings.model_path)
    except Exception as error:
        typer.echo(f"model not loaded ({type(error).__name__}): comments go to human review", err=True)
        scorer = None
    intake = Intake(
        lambda: scorer, profile_for, sessions, duplicate_window=timedelta(hours=settings.duplicate_window_hours)
    )
    return intake, HttpPlatforms(settings.meta_graph_url, settings.x_api_url)


@app.command("backfill")
def backfill_command(
    council: Annotated[str, typer.Option()],
    since: Annotated[datetime, typer.Option(help="date (UTC) to fetch comments from", formats=["%Y-%m-%d"])],
) -> None:
    """Fetch and triage recent comments of the council's connections (after connecting or an outage)."""
    sessions = open_sessions()
    intake, platforms = _intake_and_platforms(sessions)
    try:
        seen = backfill(sessions, intake, platforms, council=council, since=since.replace(tzinfo=UTC), now=now_utc())
    except (connections.TokenUnavailable, RuntimeError) as error:
        raise _fail(error) from None
    for connection_id, count in seen.items():
        typer.echo(f"connection {connection_id}: {count} comment(s) triaged")


def worker() -> None:
    """Process webhook deliveries and deliver platform actions (one per SQLite database; any
    number over PostgreSQL)."""
    import logging
    import threading

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    sessions = open_sessions()
    intake, platforms = _intake_and_platforms(sessions)
    settings = get_settings()
    lease = timedelta(seconds=settings.connector_lease_seconds)
    Worker(sessions, platforms, intake, max_attempts=settings.connector_max_attempts, lease=lease).run_forever(
        threading.Event(), settings.connector_poll_seconds
    )


@outbox_app.command("retry")
def retry(outbox_id: Annotated[int | None, typer.Option("--id", help="one dead letter; default all")] = None) -> None:
    """Send dead letters again."""
    with open_sessions()() as session:
        count = outbox.retry_dead(session, now=now_utc(), outbox_id=outbox_id, actor=ACTOR)
    typer.echo(f"{count} action(s) queued again")
