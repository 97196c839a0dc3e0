"""The server is killed with SIGKILL mid-load and restarted: every acknowledged comment is stored once."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from triage_cli.main import app
from triage_cli.spawned import batch_figures, free_port


def test_sigkill_mid_load_loses_and_doubles_nothing(tmp_path: Path) -> None:
    # No model bundle: every comment is referred (fail-safe), which exercises storage alone, quickly.
    result = CliRunner().invoke(
        app,
        [
            "loadtest",
            "--count",
            "80",
            "--concurrency",
            "8",
            "--kill-after",
            "25",
            "--history",
            "300",  # older comments already stored: the load's look-ups must not trip over them
            "--model",
            str(tmp_path / "no-model"),
            "--time-limit",
            "120",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "lost 0, duplicated 0" in result.output
    acknowledged = int(result.output.split("acknowledged ")[1].split(",")[0])
    assert acknowledged == 80


def test_the_loadtest_reports_how_the_servers_batches_went(tmp_path: Path) -> None:
    no_model = ["--model", str(tmp_path / "no-model"), "--time-limit", "120"]  # referred, fail-safe
    result = CliRunner().invoke(app, ["loadtest", "--count", "40", "--concurrency", "8", *no_model])
    assert result.exit_code == 0, result.output
    recorder = next(line for line in result.output.splitlines() if line.startswith("recorder: "))
    batches = int(recorder.split()[1])
    assert 1 <= batches <= 40 and "at work" in recorder
    assert "scorer: " not in result.output  # no model loaded: nothing was scored


def test_batch_figures_from_a_server_that_is_gone_are_none() -> None:
    # A server that died mid-load must not stop the load test before its lost/duplicated report.
    assert batch_figures(f"http://127.0.0.1:{free_port()}", "no-key") == {}
