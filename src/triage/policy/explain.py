"""Profiles as readable rows and Markdown: what happens per category and which clause says so."""

from __future__ import annotations

from typing import Any

from triage.labels import LABELS
from triage.policy.profile import Profile, Rule

Row = tuple[str, str, str, str, str]  # (situation, action, flags, threshold or detail, clause)


def _category_rows(profile: Profile) -> list[Row]:
    rows = []
    for label in LABELS:
        rule = profile.categories[label]
        human = " (human)" if rule.requires_human or rule.action not in profile.review.automatic_actions else ""
        rows.append((label, rule.action + human, ", ".join(rule.flags), f"score >= {rule.threshold}", rule.clause))
    return rows


def _election_rows(profile: Profile) -> list[Row]:
    if not profile.elections:
        return []
    rule = profile.elections.in_period
    dates = ", ".join(d.isoformat() for d in profile.elections.dates)
    situation = f"political, within {profile.elections.pre_election_weeks} weeks of {dates}"
    return [(situation, rule.action, ", ".join(rule.flags), "pre-election period", rule.clause)]


def _intent_rows(profile: Profile) -> list[Row]:
    rows: list[Row] = [
        (f"intent: {intent}", rule.action, ", ".join(rule.flags), f"priority {rule.priority}", rule.clause)
        for intent, rule in profile.intents.items()
    ]
    rows += [
        (f"deadline: {intent}", "respond", "", f"{due.amount:g} {due.unit.replace('_', ' ')}", due.clause)
        for intent, due in profile.deadlines.items()
    ]
    return rows


def _author_and_copy_rows(profile: Profile) -> list[Row]:
    esc = profile.escalation
    appeal = f", appeal after {esc.block_appeal_months} months" if esc.block_appeal_months is not None else ""
    detail = f"{esc.warnings_before_block} warnings before a block{appeal}"
    rows: list[Row] = [("repeat offenders", "warn, then block", "warn_author, block_author", detail, esc.clause)]
    if profile.duplicates:
        rule: Rule = profile.duplicates.rule
        copies = f"{profile.duplicates.min_repeats}+ earlier copies"
        rows.append(("repeated message", rule.action, ", ".join(rule.flags), copies, rule.clause))
    return rows


# Every profile: a removal that only word patterns support waits for a person (engine.decide).
WORD_PATTERNS_ONLY: Row = (
    "removal on word patterns alone",
    "review",
    "",
    "the n-gram head or a PII pattern flags it, the transformer does not",
    "002 s8.3: we do not want to censor open debate",
)


def rule_rows(profile: Profile) -> list[Row]:
    """(situation, action, flags, threshold or detail, clause) for every rule in the profile."""
    review = profile.review
    uncertain: Row = ("uncertain scores", "review", "", f"within {review.band} below a threshold", review.clause)
    return [
        *_category_rows(profile),
        *_election_rows(profile),
        *_intent_rows(profile),
        *_author_and_copy_rows(profile),
        uncertain,
        WORD_PATTERNS_ONLY,
    ]


def hours_text(profile: Profile) -> str:
    return "; ".join(f"{day[:3].title()} {start:%H:%M}-{end:%H:%M}" for day, (start, end) in profile.hours.items())


def markdown(profiles: list[Profile]) -> str:
    out = []
    for profile in profiles:
        out += [
            f"## {profile.name} (`{profile.id}`, version {profile.version})",
            "",
            f"Source: `shared/seeds/{profile.seed}`. {profile.notes}",
            "",
            f"Monitoring hours: {hours_text(profile)}, except {profile.nation} bank holidays. "
            f"Automatic actions: {', '.join(profile.review.automatic_actions)}; anything else waits for an officer.",
            "",
            "| situation | action | flags | when | clause |",
            "|---|---|---|---|---|",
        ]
        out += [f"| {a} | {b} | {c} | {d} | {e} |" for a, b, c, d, e in rule_rows(profile)]
        out.append("")
    return "\n".join(out)


VERBS = {"remove": "removes", "refer": "refers to a manager", "respond": "answers", "allow": "leaves it up"}
RULE_WORDS = {
    "author.blocked": "The author is blocked",
    "duplicates": "Repeated message",
    "escalation.warn": "Warn the author",
    "escalation.block": "Block the author",
    "model_unavailable": "The model could not score this comment",
    "language.unreadable": "Written in a language the model cannot read",
    "language.unsure": "The model may misread the language",
    "political.pre_election": "Party-political in the pre-election period",
}


def is_near_miss(reason: dict[str, Any]) -> bool:
    """A label's score within the review band below its threshold: a cause to look, not a reason."""
    return reason.get("label") is not None and float(reason.get("score") or 0) < float(reason.get("threshold") or 0)


def reason_words(reason: dict[str, Any]) -> str:
    """A stored reason in words: "Abuse 94% (this council removes at 80%)", without its clause."""
    label, rule = reason.get("label"), str(reason.get("rule", ""))
    if label:
        name = RULE_WORDS.get(rule, label.replace("_", " ").capitalize())
        verb = VERBS.get(str(reason.get("action")), str(reason.get("action")))
        return f"{name} {float(reason['score']):.0%} (this council {verb} at {float(reason['threshold']):.0%})"
    if rule.startswith("intent."):
        words = f"Intent: {rule.removeprefix('intent.').replace('_', ' ')}"
    else:
        words = RULE_WORDS.get(rule, rule.replace(".", ": ").replace("_", " ").capitalize())
    return f"{words} ({reason['note']})" if reason.get("note") else words
