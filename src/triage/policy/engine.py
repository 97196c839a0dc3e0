"""The rules engine: decide(comment, scores, context, profile) -> Decision. Pure: no I/O.

Order of resolution, stated once: every rule that fires proposes an action; the most protective
action wins (remove > refer > respond > allow); fired automatic rules that propose different
actions go to a human (cause `rule_conflict`), as in Jigsaw's open-source Moderator.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from triage.labels import ACTION_SEVERITY, HARMFUL_LABELS
from triage.policy.hours import deadline
from triage.policy.profile import Profile, Rule
from triage.types import Comment, Context, Decision, Reason, ScoredText

LONDON = ZoneInfo("Europe/London")
MODEL_UNAVAILABLE_PRIORITY = 60
RESPONSE_INTENTS_DEFAULT = "question"


def local_time(moment: datetime) -> datetime:
    """Naive UK local time, the clock monitoring hours are written in (naive input is taken as UK)."""
    return moment.astimezone(LONDON).replace(tzinfo=None) if moment.tzinfo else moment


def in_pre_election_period(profile: Profile, now: datetime) -> bool:
    if profile.elections is None:
        return False
    today = local_time(now).date()
    period = timedelta(weeks=profile.elections.pre_election_weeks)
    return any(election - period <= today <= election for election in profile.elections.dates)


def _category_reasons(
    scores: ScoredText, context: Context, profile: Profile
) -> tuple[list[tuple[Rule, Reason]], list[Reason]]:
    fired: list[tuple[Rule, Reason]] = []
    uncertain: list[Reason] = []
    for label, category in profile.categories.items():
        score = scores.scores[label]
        rule: Rule = category
        if label == "political" and in_pre_election_period(profile, context.now) and profile.elections:
            rule = profile.elections.in_period
            name = "political.pre_election"
        else:
            name = f"category.{label}"
        reason = Reason(
            rule=name,
            clause=rule.clause,
            action=rule.action,
            label=label,
            score=round(score, 4),
            threshold=profile.categories[label].threshold,
        )
        if score >= profile.categories[label].threshold:
            fired.append((rule, reason))
        elif score >= profile.categories[label].threshold - profile.review.band and rule.action != "allow":
            uncertain.append(reason)
    return fired, uncertain


def _blocked_author(context: Context, profile: Profile) -> list[tuple[Rule, Reason]]:
    """A blocked author's comments are removed, under the clause that blocked them (the seeds
    block an author so that they stop posting: a comment that still arrives is not engaged with)."""
    if not context.author_blocked:
        return []
    rule = Rule(action="remove", clause=profile.escalation.clause)
    return [(rule, Reason("author.blocked", rule.clause, rule.action, note="the author is blocked"))]


def _situation_rules(scores: ScoredText, context: Context, profile: Profile) -> list[tuple[Rule, Reason]]:
    fired = _blocked_author(context, profile)
    duplicates = profile.duplicates
    if duplicates and context.duplicate_count >= duplicates.min_repeats:
        note = f"{context.duplicate_count} earlier copies"
        fired.append((duplicates.rule, Reason("duplicates", duplicates.rule.clause, duplicates.rule.action, note=note)))
    intent_rule = profile.intents.get(scores.intent)
    if intent_rule is not None:
        fired.append((intent_rule, Reason(f"intent.{scores.intent}", intent_rule.clause, intent_rule.action)))
    return fired


def _escalation_flags(harmful: bool, context: Context, profile: Profile) -> tuple[list[str], list[Reason], bool]:
    """Repeat offenders: warnings first, then a block once the profile's warnings are used up."""
    if not harmful or context.author_blocked:  # a blocked author needs no further warning or block
        return [], [], False
    rule = profile.escalation
    if context.author_warnings >= rule.warnings_before_block:
        note = f"{context.author_warnings} earlier warnings"
        if rule.block_appeal_months is not None:
            note += f"; appeal possible after {rule.block_appeal_months} months"
        return (
            ["block_author"],
            [Reason("escalation.block", rule.clause, "remove", note=note)],
            rule.block_requires_human,
        )
    note = f"warning {context.author_warnings + 1} of {rule.warnings_before_block}"
    return ["warn_author"], [Reason("escalation.warn", rule.clause, "allow", note=note)], False


def _respond_by(intent: str, context: Context, profile: Profile, action: str, human: bool = False) -> datetime | None:
    """A reply's deadline (an answer is due), or the review deadline when a person must look."""
    rule = profile.deadlines.get(intent) or (
        profile.deadlines.get(RESPONSE_INTENTS_DEFAULT) if action == "respond" else None
    )
    if human:
        rule = rule or profile.review.deadline
    elif rule is None or action == "remove":
        return None
    due = deadline(profile, local_time(context.now), rule.amount, rule.unit)
    return due.replace(tzinfo=LONDON)


def _review_due(context: Context, profile: Profile) -> datetime:
    rule = profile.review.deadline
    return deadline(profile, local_time(context.now), rule.amount, rule.unit).replace(tzinfo=LONDON)


def model_unavailable(comment: Comment, context: Context, profile: Profile, detail: str = "") -> Decision:
    """Fail safe: never an automatic removal, never a silent allow (DESIGN.md s3)."""
    reason = Reason("model_unavailable", "DESIGN.md s3: fail safe when the model cannot score", "refer", note=detail)
    return Decision(
        respond_by=_review_due(context, profile),
        action="refer",
        reasons=(reason,),
        needs_review=True,
        review_causes=("model_unavailable",),
        priority=MODEL_UNAVAILABLE_PRIORITY,
        policy_version=f"{profile.id}@{profile.version}",
    )


LANGUAGE_CLAUSE = "Welsh Language Standards: Welsh treated no less favourably than English"


def language_guard(decision: Decision, context: Context, profile: Profile) -> Decision:
    """A comment the model cannot read goes to an officer with an English question's deadline and is
    never removed automatically; one it may misread (an unsure guess) is never removed without a human."""
    if not context.language_readable:
        note = f"written in {context.language}; the model reads English only"
        reason = Reason("language.unreadable", LANGUAGE_CLAUSE, "respond", note=note)
        action = "refer" if decision.action in ("remove", "refer") else "respond"
        english = _respond_by(RESPONSE_INTENTS_DEFAULT, context, profile, "respond")
        due = min((d for d in (decision.respond_by, english) if d is not None), default=None)
        return replace(
            decision,
            action=action,
            needs_review=True,
            respond_by=due,
            reasons=(*decision.reasons, reason),
            review_causes=(*decision.review_causes, "language_unreadable"),
        )
    if context.language_unsure and decision.action == "remove" and not decision.needs_review:
        reason = Reason("language.unsure", LANGUAGE_CLAUSE, "remove", note=f"may be {context.language}")
        return replace(
            decision,
            needs_review=True,
            respond_by=decision.respond_by or _review_due(context, profile),
            reasons=(*decision.reasons, reason),
            review_causes=(*decision.review_causes, "language_unsure"),
        )
    return decision


def _review_causes(
    action: str, proposing: list[tuple[Rule, Reason]], uncertain: list[Reason], profile: Profile, human: bool
) -> list[str]:
    """Why a person must look: rules that disagree, a near miss that would be more protective,
    or an action the profile never takes alone."""
    causes: list[str] = []
    automatic_actions = {rule.action for rule, _ in proposing if not rule.requires_human}
    if len({rule.action for rule, _ in proposing}) > 1 and len(automatic_actions) > 1:
        causes.append("rule_conflict")
    nearest = max((r.action for r in uncertain), key=ACTION_SEVERITY.__getitem__, default=None)
    if nearest is not None and ACTION_SEVERITY[nearest] > ACTION_SEVERITY[action]:
        causes.append("low_confidence")
    if action not in profile.review.automatic_actions or any(rule.requires_human for rule, _ in proposing) or human:
        causes.append("profile_requires_human")
    return causes


def _removal_uncorroborated(proposing: list[tuple[Rule, Reason]], scores: ScoredText) -> bool:
    """A removal that only word patterns support (the n-gram head, a recognised PII pattern the
    transformer does not read as personal information) waits for a person: those read words, not
    meaning, and removing a resident's comment wrongly is the costliest error (002 s8.3)."""
    removing = [reason.label for rule, reason in proposing if rule.action == "remove"]
    return bool(removing) and all(label in scores.uncorroborated for label in removing)


def decide(comment: Comment, scores: ScoredText | None, context: Context, profile: Profile) -> Decision:
    """Turn scores, context and the council's profile into an action with its reasons."""
    if scores is None:
        return model_unavailable(comment, context, profile)
    return language_guard(_decide(scores, context, profile), context, profile)


def _decide(scores: ScoredText, context: Context, profile: Profile) -> Decision:
    fired, uncertain = _category_reasons(scores, context, profile)
    fired += _situation_rules(scores, context, profile)
    proposing = [(rule, reason) for rule, reason in fired if rule.action != "allow"]
    action = max((rule.action for rule, _ in proposing), key=ACTION_SEVERITY.__getitem__, default="allow")
    flags = sorted({flag for rule, _ in fired for flag in rule.flags})
    harmful = any(reason.label in HARMFUL_LABELS for _, reason in proposing if reason.label) or any(
        reason.rule == "duplicates" for _, reason in proposing
    )
    escalation_flags, escalation_reasons, escalation_needs_human = _escalation_flags(harmful, context, profile)
    causes = _review_causes(action, proposing, uncertain, profile, escalation_needs_human)
    if _removal_uncorroborated(proposing, scores):
        causes.append("uncorroborated")
    priority = max((rule.priority for rule, _ in fired), default=0)
    if scores.intent in ("safeguarding", "emergency"):
        causes.append("priority_intent")
    reasons = tuple(reason for _, reason in fired) + tuple(escalation_reasons) + tuple(uncertain)
    return Decision(
        action=action,
        flags=tuple(sorted(set(flags) | set(escalation_flags))),
        reasons=reasons,
        needs_review=bool(causes),
        review_causes=tuple(dict.fromkeys(causes)),
        priority=priority,
        respond_by=_respond_by(scores.intent, context, profile, action, human=bool(causes)),
        intent=scores.intent,
        policy_version=f"{profile.id}@{profile.version}",
    )
