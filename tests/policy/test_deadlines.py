"""Every comment a person must look at has a deadline from its profile (issue 15); safeguarding and
emergencies within minutes of clock time, at night too."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import scores
from triage.policy import decide
from triage.policy.hours import working_minutes_between
from triage.policy.profile import profile_by_name, shipped_profiles
from triage.types import Comment, Context, ScoredText

LONDON = ZoneInfo("Europe/London")
SATURDAY_NIGHT = datetime(2026, 11, 21, 23, 0, tzinfo=LONDON)
TUESDAY_NOON = datetime(2026, 11, 17, 12, 0, tzinfo=LONDON)


@pytest.mark.parametrize("council", sorted(shipped_profiles()))
@pytest.mark.parametrize(
    "given",
    [
        ScoredText(scores(threat=0.99), intent="none"),
        ScoredText(scores(abuse=0.99, needs_response=0.99), intent="question"),
        ScoredText(scores(), intent="safeguarding"),
        ScoredText(scores(), intent="emergency"),
    ],
)
def test_every_item_for_a_person_has_a_deadline(council: str, given: ScoredText) -> None:
    decision = decide(Comment("..."), given, Context(now=TUESDAY_NOON), profile_by_name(council))
    if decision.needs_review:
        assert decision.respond_by is not None


@pytest.mark.parametrize("council", sorted(shipped_profiles()))
@pytest.mark.parametrize("intent", ["safeguarding", "emergency"])
def test_safeguarding_and_emergencies_are_due_within_minutes_at_night(council: str, intent: str) -> None:
    decision = decide(
        Comment("..."), ScoredText(scores(), intent=intent), Context(now=SATURDAY_NIGHT), profile_by_name(council)
    )
    assert decision.needs_review and decision.respond_by is not None
    assert decision.respond_by - SATURDAY_NIGHT <= timedelta(minutes=30)


def test_working_minutes_skip_the_night() -> None:
    swale = profile_by_name("swale")
    start, end = datetime(2026, 11, 17, 16, 0), datetime(2026, 11, 18, 10, 0)  # Tuesday 4pm to Wednesday 10am
    assert working_minutes_between(swale, start, end) == 120
