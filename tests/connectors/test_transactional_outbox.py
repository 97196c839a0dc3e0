"""An automatic decision's platform action is committed with the comment that caused it: there is
no moment at which a stored comment lacks the action its decision asks for."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from tests.connectors.conftest import Rig, deliver, outbox_rows
from triage.connectors import inbound
from triage.connectors.sample_payloads import page_comment
from triage.storage import connections as store
from triage.storage.tables import CommentRow, OutboxRow


def test_every_commit_that_stores_the_comment_also_holds_its_hide(rig: Rig) -> None:
    rig.connect()
    deliver(rig, "meta", page_comment())  # abusive: swale removes it without a human
    seen: list[tuple[int, int]] = []  # (comments, outbox rows) as each commit is about to happen

    def count(session: Session) -> None:
        comments = session.scalar(select(func.count()).select_from(CommentRow))
        actions = session.scalar(select(func.count()).select_from(OutboxRow))
        seen.append((int(comments or 0), int(actions or 0)))

    event.listen(Session, "before_commit", count)
    try:
        rig.worker().run_until_idle()
    finally:
        event.remove(Session, "before_commit", count)
    assert rig.fake.hidden == {"111_222": True}
    assert (1, 0) not in seen, seen  # the comment was never committed without its action
    assert (1, 1) in seen


def test_a_failure_writing_the_action_leaves_neither_and_the_delivery_is_tried_again(
    rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    rig.connect()
    deliver(rig, "meta", page_comment())

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the outbox write failed")

    monkeypatch.setattr(inbound.outbox, "enqueue_automatic", broken)
    rig.worker().run_once()
    with rig.sessions() as session:
        assert session.scalar(select(func.count()).select_from(CommentRow)) == 0
        assert store.platform_comment(session, platform="facebook", object_id="111_222") is None
        assert store.inbound_counts(session) == {"pending": 1}  # kept for another try
    assert outbox_rows(rig) == []
    monkeypatch.undo()
    rig.worker().run_until_idle()
    assert len(rig.fake.writes("hide")) == 1
    assert [(r.action, r.status) for r in outbox_rows(rig)] == [("hide", "done")]
