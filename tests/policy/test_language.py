"""Comments the model cannot read (Welsh Language Standards): never removed automatically, and
sent to an officer with the deadline an English question would get."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.conftest import scores
from triage.policy import decide, load_profile, shipped_profiles
from triage.types import Comment, Context, ScoredText

TUESDAY_NOON = datetime(2026, 11, 17, 12, 0)
WELSH = Context(now=TUESDAY_NOON, language="cy", language_readable=False)


def profile(name: str):
    return load_profile(shipped_profiles()[name])


@pytest.mark.parametrize("council", sorted(shipped_profiles()))
def test_an_unreadable_comment_gets_an_english_questions_deadline_and_is_never_removed(council: str) -> None:
    english = decide(
        Comment("When is the tip open?"),
        ScoredText(scores(needs_response=0.99), intent="question"),
        Context(now=TUESDAY_NOON),
        profile(council),
    )
    for given in ({}, {"abuse": 0.99, "obscene": 0.99}, {"spam": 0.99}):
        welsh = decide(Comment("Pryd mae'r domen ar agor?"), ScoredText(scores(**given)), WELSH, profile(council))
        assert welsh.action in ("respond", "refer") and welsh.needs_review
        assert "language_unreadable" in welsh.review_causes
        assert welsh.respond_by is not None and english.respond_by is not None
        assert welsh.respond_by <= english.respond_by


def test_an_english_threat_beside_welsh_is_referred_with_its_reasons() -> None:
    decision = decide(Comment("..."), ScoredText(scores(threat=0.99)), WELSH, profile("ashfield"))
    assert decision.action == "refer"
    assert any(reason.label == "threat" for reason in decision.reasons)


def test_an_unsure_language_guess_is_never_removed_without_a_human() -> None:
    unsure = Context(now=TUESDAY_NOON, language="cy", language_unsure=True)
    sure = decide(Comment("x"), ScoredText(scores(spam=0.99)), Context(now=TUESDAY_NOON), profile("ashfield"))
    guarded = decide(Comment("x"), ScoredText(scores(spam=0.99)), unsure, profile("ashfield"))
    assert sure.action == "remove" and not sure.needs_review
    assert guarded.action == "remove" and guarded.needs_review and "language_unsure" in guarded.review_causes
