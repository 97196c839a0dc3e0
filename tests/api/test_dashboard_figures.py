"""The dashboard's new figures at fixed times: deadlines met per intent this week (London's week),
connections that stopped and failed platform actions."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from serve.ui import dashboard_pages
from tests.api.conftest import Api
from tests.api.test_ui import sign_in
from tests.conftest import FakeScorer, scores
from triage import dashboard, review
from triage.config import Settings
from triage.scoring.base import finalise
from triage.service import IncomingComment, Profiles, Triage
from triage.storage import repo, reviews
from triage.storage.accounts import create_user
from triage.storage.db import Database
from triage.types import ScoredText

MONDAY = datetime(2026, 3, 9, 8, 0, tzinfo=UTC)  # GMT: London's week starts at 00:00 UTC
NOW = datetime(2026, 3, 11, 12, 0, tzinfo=UTC)  # the Wednesday of that week


class IntentScorer(FakeScorer):
    """ "complaint" in the text is a complaint, "?" a question."""

    def score(self, texts: Sequence[str]) -> list[ScoredText]:
        return [
            finalise(t, scores(needs_response=0.95), "complaint" if "complaint" in t else "question") for t in texts
        ]


@pytest.fixture
def triage(tmp_path: Path) -> Triage:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", environment="test")
    return Triage(
        IntentScorer(), Profiles(settings), Database.open(settings.database_url).sessions, clock=lambda: MONDAY
    )


def _item(triage: Triage, text: str, due: datetime) -> int:
    [stored] = triage.score_and_record([IncomingComment("swale", "facebook", text, "r", "p", "", text, None)])
    with triage.sessions() as session:
        item = repo.review_item_of(session, comment_id=stored.id)
        assert item is not None
        item.respond_by = due
        session.commit()
        return item.id


def _decide(triage: Triage, item_id: int, at: datetime) -> review.ReviewOutcome:
    with triage.sessions() as session:
        user = repo.user_named(session, username="olive") or create_user(
            session, username="olive", password="correct horse battery", role="officer", councils=["swale"], now=at
        )
        actor = review.Actor(user_id=user.id, role="officer", councils=("swale",))
        decision = review.OfficerDecision(action="respond", reply="Thank you")
        return review.decide(session, item_id=item_id, actor=actor, decision=decision, profiles=triage.profiles, now=at)


def _olive(session: object) -> int:
    user = repo.user_named(session, username="olive")  # type: ignore[arg-type]
    assert user is not None
    return user.id


def test_deadlines_met_missed_and_open_per_intent_this_week(triage: Triage) -> None:
    tuesday_noon = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    met = _item(triage, "bins?", tuesday_noon)
    late = _item(triage, "library?", tuesday_noon)
    overdue = _item(triage, "parking?", tuesday_noon)
    coming = _item(triage, "a complaint about the bins?", datetime(2026, 3, 12, 12, 0, tzinfo=UTC))
    undone = _item(triage, "a complaint about the park?", datetime(2026, 3, 13, 12, 0, tzinfo=UTC))
    _item(triage, "next week?", datetime(2026, 3, 16, 0, 0, tzinfo=UTC))  # Monday of the next week
    _item(triage, "last week?", datetime(2026, 3, 8, 23, 59, tzinfo=UTC))
    _decide(triage, met, tuesday_noon - timedelta(hours=2))
    _decide(triage, late, tuesday_noon + timedelta(minutes=1))
    outcome = _decide(triage, undone, datetime(2026, 3, 10, 9, 0, tzinfo=UTC))
    with triage.sessions() as session:
        actor = review.Actor(user_id=_olive(session), role="officer", councils=("swale",))
        review.undo(
            session, decision_id=outcome.decision_ids[0], actor=actor, now=datetime(2026, 3, 10, 9, 1, tzinfo=UTC)
        )
    with triage.sessions() as session:
        figures = dashboard.deadlines_this_week(session, councils=["swale"], now=NOW)
        other = dashboard.deadlines_this_week(session, councils=["ashfield"], now=NOW)
    assert figures == {
        "complaint": {"due": [coming, undone], "met": [], "missed": [], "open": [coming, undone]},
        "question": {"due": [met, late, overdue], "met": [met], "missed": [late, overdue], "open": []},
    }
    assert other == {}


def test_the_week_is_londons_monday_to_sunday() -> None:
    start, end = dashboard.week_of(datetime(2026, 3, 29, 23, 30, tzinfo=UTC))  # 00:30 on Monday in BST
    assert start == datetime(2026, 3, 29, 23, 0, tzinfo=UTC) and end == datetime(2026, 4, 5, 23, 0, tzinfo=UTC)
    start, end = dashboard.week_of(datetime(2026, 3, 15, 23, 59, tzinfo=UTC))  # Sunday night in GMT
    assert start == datetime(2026, 3, 9, tzinfo=UTC) and end == datetime(2026, 3, 16, tzinfo=UTC)


def test_the_figures_carry_the_deadlines_and_the_platform_problems(triage: Triage) -> None:
    item = _item(triage, "bins?", datetime(2026, 3, 10, 12, 0, tzinfo=UTC))
    with triage.sessions() as session:
        figures = dashboard.figures(session, councils=["swale"], thresholds={}, now=NOW)
        assert reviews.item_in(session, item_id=item, councils=["swale"]) is not None
    assert figures["deadlines"]["question"]["missed"] == [item]
    assert figures["platforms"] == {"stopped": [], "dead_letters": []}


def test_each_deadline_figure_links_to_its_items(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dashboard_pages, "utcnow", lambda: NOW)
    api.post("When is bin day?", "q1")
    with api.client.app.state.triage.sessions() as session:  # type: ignore[attr-defined]
        [(item, _, _)] = repo.review_queue(session, councils=["swale"], limit=5)
        item.respond_by, item_id = datetime(2026, 3, 10, 12, 0, tzinfo=UTC), item.id
        session.commit()
    sign_in(api, "olive")
    page = api.client.get("/dashboard").text
    row = re.search(r'<tr class="govuk-table__row" id="deadline-question">.*?</tr>', page, re.S).group(0)  # type: ignore[union-attr]
    assert 'href="/dashboard/deadlines?intent=question&amp;outcome=missed"' in row
    assert 'outcome=met"' not in row  # none met: a plain 0, no link
    # The sections are the page's once, in its body; the title is only the title.
    assert page.count('id="deadline-question"') == 1
    assert re.search(r"<title>\s*Dashboard - Comment triage</title>", page)
    listed = api.client.get("/dashboard/deadlines?intent=question&outcome=missed").text
    assert f'href="/review/{item_id}"' in listed and "When is bin day?" in listed and "Question: missed" in listed
    assert f'href="/review/{item_id}"' not in api.client.get("/dashboard/deadlines?intent=question&outcome=met").text
    assert api.client.get("/dashboard/deadlines?intent=question&outcome=bogus").status_code == 200
