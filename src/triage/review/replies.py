"""A suggested reply per intent, in the council's own words from its profile: the officer edits it,
and it is stored with the decision (and posted through a platform connector where one exists)."""

from __future__ import annotations

import re
from datetime import datetime

from triage.policy import Profile
from triage.policy.engine import local_time
from triage.policy.hours import add_working_days

STATUTORY_WORKING_DAYS = 20  # FOI Act 2000 s10; the council answers a SAR in the same time or sooner
WEBSITE = re.compile(r"\b(?:https?://)?(www\.[a-z0-9.-]+\.[a-z]{2,}(?:/\S*)?)", re.IGNORECASE)
NO_REPLY = ""


def _website(profile: Profile) -> str:
    clauses = [rule.clause for rule in (*profile.intents.values(), *profile.categories.values())]
    for clause in clauses:
        found = WEBSITE.search(clause)
        if found:
            return found.group(1).rstrip(".,;)'")
    return "our website"


def _contact(profile: Profile) -> str:
    return " or ".join(profile.published_contacts) or "the Contact Us page on " + _website(profile)


def _policy_words(profile: Profile, intent: str) -> str:
    """The council's own sentence for the intent, without the citation before the colon."""
    rule = profile.intents.get(intent) or profile.deadlines.get(intent)
    return rule.clause.split(": ", 1)[-1].strip() if rule else ""


def suggest(profile: Profile, *, intent: str, flags: list[str], now: datetime) -> str:
    """The reply to start from; empty where the council does not engage (party-political content)."""
    if "no_engagement" in flags:
        return NO_REPLY
    name, site, contact = profile.name, _website(profile), _contact(profile)
    if intent == "complaint" or "signpost_complaints" in flags:
        return (
            f"We're sorry to hear this. So that your complaint is logged and answered properly, please use "
            f"the complaints page on {site}. You can also reach us on {contact}."
        )
    if intent == "foi_or_sar":
        due = add_working_days(profile, local_time(now), STATUTORY_WORKING_DAYS)
        return (
            f"Thank you for your request. We have logged it and will respond within the statutory "
            f"{STATUTORY_WORKING_DAYS} working days, by {due:%A %d %B %Y}. "
            f"Please send any further details to {contact}, not in a public comment."
        )
    if intent in ("safeguarding", "emergency"):
        return (
            "Thank you for telling us. If anyone is in immediate danger, call 999. "
            f"Please contact us straight away on {contact} so that the right team can help."
        )
    if intent == "press":
        return f"Thank you. Media enquiries go to our press office: {contact}."
    if intent in ("question", "service_request"):
        return (
            f"Thank you for your message. We have passed it to the department responsible at {name}; "
            f"they can also be reached on {contact}."
        )
    return "Thank you for your comment."


def next_step(intent: str, profile: Profile) -> str:
    """What the officer does beside replying, for the intents where a reply is not enough."""
    if intent == "safeguarding":
        return f"Pass this to the duty safeguarding officer now ({_contact(profile)}); do not discuss it in public."
    if intent == "emergency":
        return f"Pass this to the emergency duty team now ({_contact(profile)}), out of hours included."
    return _policy_words(profile, intent)
