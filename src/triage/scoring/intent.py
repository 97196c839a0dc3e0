"""Keyword rules for the intents of comments that need a response.

The transformer has an intent head; these rules are its safety net for emergencies and
safeguarding (which go to the top of the queue and must not be missed) and the whole intent
signal for baselines that have no head.
"""

from __future__ import annotations

import re

_RULES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (intent, re.compile(pattern, re.IGNORECASE))
    for intent, pattern in (
        (
            "emergency",
            r"\b(gas (leak|smell)|smell(s|ing)? of gas|on fire|fire in|flood(ing|ed)|burst (main|pipe|its banks)|"
            r"tree (has )?(come|fallen) down|blocking the (whole )?road|cables? hanging|collapsed|explosion)\b",
        ),
        (
            "safeguarding",
            r"\b(worried about (the|my|an?) (elderly|old|vulnerable|child|kid|neighbour)|"
            r"being (abused|exploited|neglected)|left alone (every|all)|nobody has seen (him|her|them)|"
            r"(don'?t|do not) want to (be here|live) any ?more|kill myself|end (it all|my life)|self[- ]harm)",
        ),
        ("foi_or_sar", r"\b(freedom of information|FOI|subject access|SAR|data you hold (on|about) me)\b"),
        ("press", r"\b(journalist|reporter|press office|media enquiry|for (a|our) (story|article))\b"),
        ("complaint", r"\b(formal complaint|complain(t|ing)? about|not acceptable|disgusted with|poor service)\b"),
        (
            "service_request",
            r"\b(pothole|fly[- ]?tipp(ing|ed)|missed (bin|collection)|(bins?|collection) (has|have|was|were) "
            r"(been )?missed|street ?light|graffiti|overflowing|please (can|could) (you|someone) "
            r"(fix|clear|collect|empty|remove|send))\b",
        ),
        ("compliment", r"\b(thank(s| you) to|well done|brilliant (service|job)|great job|huge thanks)\b"),
        ("question", r"(\?\s*$|^(when|where|what|how|why|who|is|are|can|does|do|will)\b.*\?)"),
    )
)


def rule_intent(text: str) -> str:
    """The first intent whose keywords appear, in order of urgency; `none` if none do."""
    for intent, pattern in _RULES:
        if pattern.search(text):
            return intent
    return "none"
