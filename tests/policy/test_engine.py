"""The rules engine, table-driven from the seeds' own words."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.conftest import scores
from triage.policy import decide, load_profile, shipped_profiles
from triage.policy.engine import local_time
from triage.types import Comment, Context, ScoredText

COMMENT = Comment(text="a comment")
TUESDAY_NOON = datetime(2026, 11, 17, 12, 0)


def profile(name: str):
    return load_profile(shipped_profiles()[name])


def run(
    name: str,
    now: datetime = TUESDAY_NOON,
    intent: str = "none",
    warnings: int = 0,
    duplicates: int = 0,
    **given: float,
):
    context = Context(now=now, author_warnings=warnings, duplicate_count=duplicates)
    return decide(COMMENT, ScoredText(scores=scores(**given), intent=intent), context, profile(name))


@pytest.mark.parametrize(
    ("council", "given", "action", "flag"),
    [
        # 002 appendix 1 s5.1: "Do not remove a comment. Instead refer ..." obscene language
        ("lewes-eastbourne", {"obscene": 0.95}, "refer", None),
        ("lewes-eastbourne", {"political": 0.95}, "refer", None),
        ("lewes-eastbourne", {"spam": 0.95}, "refer", None),
        # 004 'Hate and harassment': remove and send to the police
        ("ashfield", {"hate": 0.95}, "remove", "report_to_police"),
        ("ashfield", {"obscene": 0.95}, "remove", None),
        ("ashfield", {"personal_info": 0.95}, "remove", "redact"),
        # 000 'Moderation': reserve the right to remove
        ("swale", {"abuse": 0.95}, "remove", None),
        ("swale", {"spam": 0.95}, "remove", None),
        # 001 'Acceptable use': party promotion removed, never engaged with
        ("district-001", {"political": 0.95}, "remove", "no_engagement"),
        ("district-001", {"abuse": 0.95}, "remove", "no_engagement"),
        # default: nothing removed automatically
        ("default", {"abuse": 0.95}, "refer", None),
    ],
)
def test_category_actions_follow_the_seeds(council: str, given: dict, action: str, flag: str | None) -> None:
    decision = run(council, **given)
    assert decision.action == action
    if flag:
        assert flag in decision.flags
    assert any(reason.label in given and reason.clause for reason in decision.reasons)


def test_002_third_offence_after_two_warnings_blocks() -> None:
    first = run("lewes-eastbourne", warnings=0, obscene=0.95)
    third = run("lewes-eastbourne", warnings=2, obscene=0.95)
    assert "warn_author" in first.flags and "block_author" not in first.flags
    assert "block_author" in third.flags
    assert third.needs_review and "profile_requires_human" in third.review_causes


def test_004_block_records_appeal_after_12_months() -> None:
    decision = run("ashfield", warnings=1, abuse=0.95)
    assert "block_author" in decision.flags
    assert any("12 months" in reason.note for reason in decision.reasons)


def test_000_party_political_removed_inside_pre_election_period_only() -> None:
    inside = run("swale", now=datetime(2027, 4, 20, 12, 0), political=0.9)  # 16 days before 6 May 2027
    outside = run("swale", now=datetime(2027, 1, 12, 12, 0), political=0.9)
    assert inside.action == "remove"
    assert any("Pre-election" in reason.clause for reason in inside.reasons)
    assert outside.action == "allow" and "no_engagement" in outside.flags


def test_legitimate_criticism_is_allowed() -> None:
    # 002 s8.3: "We do not want to censor open debate"
    decision = run("lewes-eastbourne", abuse=0.2, needs_response=0.1)
    assert decision.action == "allow" and not decision.needs_review


def test_uncertain_score_goes_to_review_not_removal() -> None:
    decision = run("ashfield", abuse=0.6)  # threshold 0.8, band 0.3
    assert decision.action == "allow"
    assert decision.needs_review and "low_confidence" in decision.review_causes


def test_model_unavailable_refers_never_removes() -> None:
    decision = decide(COMMENT, None, Context(now=TUESDAY_NOON), profile("ashfield"))
    assert decision.action == "refer"
    assert decision.review_causes == ("model_unavailable",)


def test_repeated_message_is_caught_by_the_rules() -> None:
    decision = run("district-001", duplicates=1)
    assert decision.action == "remove"
    assert any(reason.rule == "duplicates" for reason in decision.reasons)


def test_safeguarding_goes_to_the_top_of_the_queue() -> None:
    safeguarding = run("lewes-eastbourne", intent="safeguarding", needs_response=0.9)
    abuse = run("lewes-eastbourne", abuse=0.95)
    assert safeguarding.action == "refer" and safeguarding.priority > abuse.priority
    assert "priority_intent" in safeguarding.review_causes


def test_complaints_are_signposted() -> None:
    decision = run("swale", intent="complaint", needs_response=0.9)
    assert decision.action == "respond" and "signpost_complaints" in decision.flags


@pytest.mark.parametrize(
    ("council", "received", "intent", "due"),
    [
        # 002 s7.2, 90 working minutes: Friday 16:50 before the August bank holiday -> Tuesday 10:20
        ("lewes-eastbourne", datetime(2026, 8, 28, 16, 50), "question", datetime(2026, 9, 1, 10, 20)),
        # 002: a question on Saturday is due 90 minutes after Monday's opening
        ("lewes-eastbourne", datetime(2026, 11, 21, 11, 0), "question", datetime(2026, 11, 23, 10, 30)),
        # 000: FOI acknowledged within two working days; Swale closes at 16:30 on Fridays
        ("swale", datetime(2026, 11, 19, 16, 45), "foi_or_sar", datetime(2026, 11, 23, 16, 45)),
        ("swale", datetime(2026, 11, 20, 16, 45), "question", datetime(2026, 11, 25, 9, 0)),
        # 004: one working day; Christmas and Boxing Day (substitute Monday 28th) skipped
        ("ashfield", datetime(2026, 12, 24, 10, 0), "question", datetime(2026, 12, 29, 10, 0)),
    ],
)
def test_response_deadlines_in_working_time(council: str, received: datetime, intent: str, due: datetime) -> None:
    decision = run(council, now=received, intent=intent, needs_response=0.9)
    assert decision.respond_by is not None
    assert local_time(decision.respond_by) == due


def test_aware_times_are_read_in_uk_local_time() -> None:
    from zoneinfo import ZoneInfo

    utc_summer = datetime(2026, 7, 7, 8, 30, tzinfo=ZoneInfo("UTC"))  # 09:30 in London (BST)
    assert local_time(utc_summer) == datetime(2026, 7, 7, 9, 30)


@pytest.mark.parametrize("council", ["ashfield", "swale", "lewes-eastbourne", "district-001", "default"])
def test_a_blocked_authors_comment_is_decided_as_blocked(council: str) -> None:
    """The author was blocked under the escalation clause: a comment that still arrives is removed
    (or, where the profile never removes automatically, proposed for removal to a human)."""
    context = Context(now=TUESDAY_NOON, author_blocked=True)
    decision = decide(COMMENT, ScoredText(scores=scores()), context, profile(council))
    assert decision.action == "remove" and "block_author" not in decision.flags
    [reason] = [r for r in decision.reasons if r.rule == "author.blocked"]
    assert reason.clause == profile(council).escalation.clause
