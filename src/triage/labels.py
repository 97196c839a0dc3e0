"""The council policy vocabulary: labels, intents, PII types and actions, defined once (DESIGN.md s2)."""

from __future__ import annotations

from typing import Final

LABELS: Final[tuple[str, ...]] = (
    "abuse",
    "threat",
    "hate",
    "obscene",
    "spam",
    "political",
    "personal_info",
    "needs_response",
)

# Labels whose presence makes a comment harmful: raising one never makes an action less protective.
HARMFUL_LABELS: Final[tuple[str, ...]] = (
    "abuse",
    "threat",
    "hate",
    "obscene",
    "spam",
    "political",
    "personal_info",
)

# Labels that together make up OLID's "offensive" (level A) class.
OFFENSIVE_LABELS: Final[tuple[str, ...]] = ("abuse", "threat", "hate", "obscene")

INTENTS: Final[tuple[str, ...]] = (
    "question",
    "service_request",
    "complaint",
    "foi_or_sar",
    "safeguarding",
    "press",
    "emergency",
    "compliment",
    "none",
)

# Intents that owe the resident a reply: the respond queue lists them, earliest deadline first.
RESPOND_INTENTS: Final[tuple[str, ...]] = ("question", "service_request", "complaint", "foi_or_sar", "press")

# Why a human sees an item, in words for the queues.
REVIEW_CAUSE_WORDS: Final[dict[str, str]] = {
    "low_confidence": "the model is unsure",
    "profile_requires_human": "the council's policy needs a person",
    "model_unavailable": "the model could not score it",
    "rule_conflict": "rules disagree",
    "priority_intent": "safeguarding or emergency",
    "language_unreadable": "not in English",
    "language_unsure": "language unclear",
    "uncorroborated": "word patterns alone suggest removal",
}

PII_TYPES: Final[tuple[str, ...]] = (
    "phone",
    "email",
    "postcode",
    "address",
    "ni_number",
    "bank_details",
    "date_of_birth",
    "vehicle_registration",
    "person_name",
)

# Token tags of the model's PII head: outside, or the beginning or inside of a span of each type.
PII_TAGS: Final[tuple[str, ...]] = ("O", *(f"{edge}-{kind}" for kind in PII_TYPES for edge in ("B", "I")))

ACTIONS: Final[tuple[str, ...]] = ("allow", "respond", "refer", "remove")

# The social media platforms a comment may come from; anything else is refused at the door.
PLATFORMS: Final[tuple[str, ...]] = (
    "facebook",
    "instagram",
    "x",
    "threads",
    "youtube",
    "tiktok",
    "linkedin",
    "nextdoor",
)

# Higher is more protective: used to resolve conflicting rules (the most protective wins).
ACTION_SEVERITY: Final[dict[str, int]] = {action: rank for rank, action in enumerate(ACTIONS)}

FLAGS: Final[tuple[str, ...]] = (
    "report_to_police",
    "report_to_platform",
    "warn_author",
    "block_author",
    "redact",
    "no_engagement",
    "signpost_complaints",
)

REVIEW_CAUSES: Final[tuple[str, ...]] = (
    "low_confidence",
    "profile_requires_human",
    "model_unavailable",
    "rule_conflict",
    "priority_intent",
    "language_unreadable",
    "language_unsure",
    "uncorroborated",
)


def mask_column(label: str) -> str:
    """Name of the column that says whether `label` is known for a row of the training table."""
    return f"{label}_known"


MASK_COLUMNS: Final[tuple[str, ...]] = tuple(mask_column(label) for label in LABELS)

# Why an officer decided as they did: offered in the review UI, and kept with the labels in the
# exported training data (other codes sent through the API are stored as given).
REASON_CODES: Final[tuple[str, ...]] = (
    "agree_with_model",
    "abusive",
    "threatening",
    "hateful",
    "obscene",
    "spam",
    "party_political",
    "personal_information",
    "legitimate_criticism",
    "needs_answer",
    "off_topic",
    "other",
)

# What an officer's decision may also do: to the author, and to which open items at once.
AUTHOR_ACTIONS: Final[tuple[str, ...]] = ("none", "warn", "block")
BULK_SCOPES: Final[tuple[str, ...]] = ("one", "duplicates", "author")

ROLES: Final[tuple[str, ...]] = ("officer", "manager", "data_scientist", "admin")

# Permissions: API keys are given some of these; people get them by role.
SCOPES: Final[tuple[str, ...]] = (
    "comments:write",
    "comments:read",
    "review:read",
    "review:write",
    "review:manage",  # decide the managers' queue (referrals) and block authors
    "decisions:export",
    "metrics:read",
    "admin",
)
ROLE_SCOPES: Final[dict[str, frozenset[str]]] = {
    "officer": frozenset({"comments:read", "review:read", "review:write"}),
    "manager": frozenset({"comments:read", "review:read", "review:write", "review:manage"}),
    "data_scientist": frozenset({"comments:read", "review:read", "decisions:export"}),
    "admin": frozenset(SCOPES),
}
# What an API key may be given: machine clients never manage the review queue or export decisions.
API_SCOPES: Final[tuple[str, ...]] = tuple(s for s in SCOPES if s not in ("review:manage", "decisions:export"))

# Platform connectors: how a connection runs, and what is done on the platform.
CONNECTION_MODES: Final[tuple[str, ...]] = ("shadow", "live")
PLATFORM_ACTIONS: Final[tuple[str, ...]] = ("hide", "unhide", "delete", "reply")
