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
)


def mask_column(label: str) -> str:
    """Name of the column that says whether `label` is known for a row of the training table."""
    return f"{label}_known"


MASK_COLUMNS: Final[tuple[str, ...]] = tuple(mask_column(label) for label in LABELS)

# Platform connectors: where comments come from, how a connection runs, what is done there.
PLATFORMS: Final[tuple[str, ...]] = ("facebook", "instagram", "x")
CONNECTION_MODES: Final[tuple[str, ...]] = ("shadow", "live")
PLATFORM_ACTIONS: Final[tuple[str, ...]] = ("hide", "unhide", "delete", "reply")
