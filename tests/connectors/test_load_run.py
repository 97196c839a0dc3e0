"""The webhook load run (`triage loadtest-webhooks`): the service and a worker spawned on loopback
against the fake platform, duplicates re-sent, the worker killed once during a platform call."""

from __future__ import annotations

from pathlib import Path

import pytest

from triage_cli.webhook_deliveries import deliveries
from triage_cli.webhook_load import LoadPlan, run_webhook_load

MODEL = Path("models/minilm-policy")
needs_model = pytest.mark.skipif(not MODEL.exists(), reason="the worker scores with the shipped bundle")


def test_deliveries_resend_a_share_of_comments_half_as_the_same_bytes() -> None:
    items = deliveries(100, 0.1, "R")
    assert len(items) == 100 and len({d.object_id for d in items}) == 90
    assert sorted(d.resent for d in items if d.resent) == ["identical"] * 5 + ["reserialised"] * 5


def _assert_once(count: int, tmp_path: Path) -> None:
    plan = LoadPlan(count=count, model=MODEL, database_url=f"sqlite:///{tmp_path / 'load.db'}", time_limit=600)
    result = run_webhook_load(plan)
    checked = result.checked
    assert result.killed and result.acknowledged == count and not result.errors
    assert checked.stored == checked.comments == count - round(count * 0.1)
    assert checked.lost_comments == checked.doubled_comments == 0
    assert checked.duplicates_absorbed == round(count * 0.1)
    assert checked.delivered > 0 and checked.lost_actions == checked.doubled_actions == checked.wrong_in_effect == 0
    assert checked.calls == checked.delivered + checked.resent and result.passed


@needs_model
def test_200_deliveries_with_resends_and_a_worker_kill_store_and_act_exactly_once(tmp_path: Path) -> None:
    _assert_once(200, tmp_path)


@pytest.mark.slow
@needs_model
def test_5000_deliveries_with_resends_and_a_worker_kill_store_and_act_exactly_once(tmp_path: Path) -> None:
    _assert_once(5000, tmp_path)
