"""Repeat offenders, subject access export and the retention purge."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from tests.api.conftest import Api
from triage.storage.tables import AuditEventRow, CommentRow, DecisionRow
from triage_cli.main import app


def test_automatic_removals_count_warnings_then_ask_for_a_block(api: Api) -> None:
    # ashfield: one warning before a block (004 'In the event of unacceptable behaviour' s3)
    first = api.post("you idiot", "w1", key="ashfield").json()
    second = api.post("you absolute idiot again", "w2", key="ashfield").json()
    assert "warn_author" in first["flags"] and first["needs_review"] is False
    assert "block_author" in second["flags"] and second["needs_review"] is True


@pytest.fixture
def cli_env(api: Api, database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    from triage.config import get_settings

    monkeypatch.setenv("TRIAGE_DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield database_url
    get_settings.cache_clear()


def test_subject_access_export_holds_everything_about_a_handle(api: Api, cli_env: str, tmp_path: Path) -> None:
    api.post("you idiot", "sar1")
    api.post("When is bin day?", "sar2")
    out = tmp_path / "sar.json"
    result = CliRunner().invoke(app, ["sar", "resident1", "--output", str(out)])
    assert result.exit_code == 0, result.output
    export = json.loads(out.read_text())
    comments = [c for group in export["groups"] for c in group["comments"]]  # per council and platform
    assert {c["text"] for c in comments} == {"you idiot", "When is bin day?"}
    assert all(c["decisions"] for c in comments)


def test_purge_removes_text_but_keeps_decisions_and_audit(api: Api, cli_env: str) -> None:
    api.post("old comment", "p1")
    with api.client.app.state.triage.sessions() as session:  # type: ignore[attr-defined]
        row = session.scalar(select(CommentRow))
        row.received_at = datetime.now(UTC) - timedelta(days=400)
        session.commit()
    result = CliRunner().invoke(app, ["purge", "--older-than", "365"])
    assert result.exit_code == 0 and "1 comments" in result.output
    with api.client.app.state.triage.sessions() as session:  # type: ignore[attr-defined]
        row = session.scalar(select(CommentRow))
        assert row.text is None and row.author_handle is None and row.purged_at is not None
        assert session.scalar(select(DecisionRow)) is not None
        assert session.scalar(select(AuditEventRow).where(AuditEventRow.kind == "retention_purge")) is not None
