"""Exporting officers' decisions: final labels, no handles, time split, conflicts reported."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
from sqlalchemy import select

from tests.api.conftest import Api
from training.decisions import export
from triage import review
from triage.labels import LABELS
from triage.policy.profile import profile_by_name
from triage.storage.tables import ReviewItemRow, UserRow


def test_export_of_officer_decisions(api: Api, tmp_path: Path) -> None:
    for index in range(10):
        api.post(f"ring 07911 12345{index} you idiot?", f"e{index}")
    api.post("ring 07911 123450 you idiot?", "e-dup")  # the same text again: one row, and a conflict below
    session = api.client.app.state.triage.sessions()  # type: ignore[attr-defined]
    olive = session.scalar(select(UserRow).where(UserRow.username == "olive"))
    start = datetime.now(UTC)
    items = list(
        session.scalars(select(ReviewItemRow).where(ReviewItemRow.queue == "officer").order_by(ReviewItemRow.id))
    )
    assert len(items) >= 10
    for index, item in enumerate(items):
        labels = dict.fromkeys(LABELS, 0) | {
            "personal_info": 1,
            "abuse": int(index % 2 == 0 and index != len(items) - 1),
        }
        decision = review.OfficerDecision(action="remove", labels=labels, reason_code="personal_information")
        actor = review.Actor(olive.id, "officer", ("swale",))
        outcome = review.decide(
            session,
            item_id=item.id,
            actor=actor,
            decision=decision,
            profiles=profile_by_name,
            now=start + timedelta(minutes=index),
        )
        if index == 3:
            when = start + timedelta(minutes=index, seconds=30)
            review.undo(session, decision_id=outcome.decision_ids[0], actor=actor, now=when)
    output = tmp_path / "decisions.parquet"
    summary = export(session, start - timedelta(days=1), output)
    frame = pd.read_parquet(output)
    assert "author_handle" not in frame.columns and not frame["text"].str.contains("resident1").any()
    assert summary["rows"] == len(frame) == frame["text"].nunique()
    assert summary["conflicting_texts"] == 1
    newest = frame.sort_values("decided_at")
    assert newest["split"].iloc[-1] == "test" and newest["split"].iloc[0] == "train"
    assert frame["personal_info_known"].all() and set(frame["model_action"]) <= {"remove", "refer", "respond", "allow"}
    session.close()
