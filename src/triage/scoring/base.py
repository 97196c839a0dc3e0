"""The Scorer contract: texts in; per text a probability per label, PII spans and an intent."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol, runtime_checkable

from triage.labels import LABELS
from triage.scoring.intent import rule_intent
from triage.scoring.pii import combine_spans, find_pii
from triage.types import PiiSpan, ScoredText

# A validated PII span is stronger evidence than the model: the personal_info score agrees with it.
PII_SPAN_SCORE = 0.99
NAME_ONLY_TYPES = frozenset({"person_name"})


@runtime_checkable
class Scorer(Protocol):
    name: str
    version: str
    thresholds: dict[str, float]

    def score(self, texts: Sequence[str]) -> list[ScoredText]: ...


class ScorerError(RuntimeError):
    """The model could not score: callers route the comment to a human (model_unavailable)."""


def finalise(
    text: str,
    probabilities: dict[str, float],
    intent: str,
    allowed_contacts: Iterable[str] = (),
    intent_from_model: bool = True,
    model_spans: Iterable[PiiSpan] = (),
    pii_sources: dict[str, str] | None = None,
) -> ScoredText:
    """Combine model probabilities with the recognisers: PII spans (with the model's token head
    where `pii_sources` says it is the better source) and safety-critical intents."""
    allowed_contacts = tuple(allowed_contacts)
    recognised = find_pii(text, allowed_contacts)
    spans = tuple(combine_spans(text, recognised, model_spans, pii_sources or {}, allowed_contacts))
    scores = {label: float(probabilities.get(label, 0.0)) for label in LABELS}
    # A name alone is not personal information ("thanks to Dave at the depot"); a name with, or
    # any other, private detail is (DESIGN.md s2: "a named person's private details").
    if any(span.type not in NAME_ONLY_TYPES for span in spans):
        scores["personal_info"] = max(scores["personal_info"], PII_SPAN_SCORE)
    ruled = rule_intent(text)
    # Emergencies and safeguarding must not be missed: a keyword hit wins over the model.
    if not intent_from_model or ruled in ("emergency", "safeguarding"):
        intent = ruled
    return ScoredText(scores=scores, pii_spans=spans, intent=intent)


def flags(scored: ScoredText, thresholds: dict[str, float]) -> list[str]:
    """The labels at or above their decision threshold."""
    return [label for label in LABELS if scored.scores[label] >= thresholds.get(label, 0.5)]
