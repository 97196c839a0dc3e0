"""`triage connection ...` through Typer: add (shadow by default), list, set-mode, remove; no token shown."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from triage.config import get_settings
from triage_cli.main import app


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("TRIAGE_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("COUNCIL_FB", "secret-token-value")
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_connection_commands(runner: CliRunner) -> None:
    added = runner.invoke(
        app,
        [
            "connection",
            "add",
            "--council",
            "swale",
            "--platform",
            "facebook",
            "--account-id",
            "PAGE1",
            "--token-env",
            "COUNCIL_FB",
        ],
    )
    assert added.exit_code == 0, added.output
    assert "shadow" in added.output and "env:COUNCIL_FB" in added.output
    again = runner.invoke(
        app,
        [
            "connection",
            "add",
            "--council",
            "swale",
            "--platform",
            "facebook",
            "--account-id",
            "PAGE1",
            "--token-env",
            "COUNCIL_FB",
        ],
    )
    assert again.exit_code == 1 and "already connected" in again.output
    pasted = runner.invoke(
        app,
        [
            "connection",
            "add",
            "--council",
            "swale",
            "--platform",
            "x",
            "--account-id",
            "X1",
            "--token-env",
            "AAAA-token-pasted-here",
        ],
    )
    assert pasted.exit_code == 1 and "NAME of an environment variable" in pasted.output
    live = runner.invoke(app, ["connection", "set-mode", "--id", "1", "--mode", "live"])
    assert live.exit_code == 0 and "live" in live.output
    listed = runner.invoke(app, ["connection", "list"])
    assert "PAGE1" in listed.output and "secret-token-value" not in listed.output
    assert runner.invoke(app, ["connection", "remove", "--id", "1"]).exit_code == 0
    assert "PAGE1" not in runner.invoke(app, ["connection", "list"]).output
