"""Property tests: any scores give a valid decision; more harm never means a softer action."""

from __future__ import annotations

from datetime import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from triage.labels import ACTION_SEVERITY, ACTIONS, HARMFUL_LABELS, INTENTS, LABELS, REVIEW_CAUSES
from triage.policy import decide, load_profile, shipped_profiles
from triage.policy.engine import local_time
from triage.types import Comment, Context, ScoredText

PROFILES = [load_profile(path) for path in shipped_profiles().values()]
probability = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
score_maps = st.fixed_dictionaries({label: probability for label in LABELS})
moments = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31))


@settings(max_examples=300, deadline=None)
@given(score_maps, st.sampled_from(INTENTS), moments, st.integers(0, 5), st.integers(0, 3), st.sampled_from(PROFILES))
def test_any_scores_give_a_valid_decision(scores, intent, now, warnings, duplicates, profile) -> None:
    context = Context(now=now, author_warnings=warnings, duplicate_count=duplicates)
    decision = decide(Comment(text="x"), ScoredText(scores=scores, intent=intent), context, profile)
    assert decision.action in ACTIONS
    assert set(decision.review_causes) <= set(REVIEW_CAUSES)
    assert decision.needs_review == bool(decision.review_causes)
    assert all(reason.clause for reason in decision.reasons)
    if decision.respond_by is not None:
        assert local_time(decision.respond_by) >= now


@settings(max_examples=300, deadline=None)
@given(score_maps, st.sampled_from(HARMFUL_LABELS), probability, moments, st.sampled_from(PROFILES))
def test_raising_a_harmful_score_never_softens_the_action(scores, label, extra, now, profile) -> None:
    context = Context(now=now)
    before = decide(Comment(text="x"), ScoredText(scores=scores), context, profile)
    raised = scores | {label: min(1.0, scores[label] + extra)}
    after = decide(Comment(text="x"), ScoredText(scores=raised), context, profile)
    assert ACTION_SEVERITY[after.action] >= ACTION_SEVERITY[before.action]
