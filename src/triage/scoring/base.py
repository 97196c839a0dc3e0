"""The Scorer contract: texts in; per text a probability per label, PII spans and an intent."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol, runtime_checkable

from triage.labels import LABELS
from triage.scoring.intent import rule_intent
from triage.scoring.pii import find_pii
from triage.types import ScoredText

# A validated PII span is stronger evidence than the model: the personal_info score agrees with it.
PII_SPAN_SCORE = 0.99


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
) -> ScoredText:
    """Combine model probabilities with the recognisers: PII spans and safety-critical intents."""
    spans = tuple(find_pii(text, allowed_contacts))
    scores = {label: float(probabilities.get(label, 0.0)) for label in LABELS}
    if spans:
        scores["personal_info"] = max(scores["personal_info"], PII_SPAN_SCORE)
    ruled = rule_intent(text)
    # Emergencies and safeguarding must not be missed: a keyword hit wins over the model.
    if not intent_from_model or ruled in ("emergency", "safeguarding"):
        intent = ruled
    return ScoredText(scores=scores, pii_spans=spans, intent=intent)


def flags(scored: ScoredText, thresholds: dict[str, float]) -> list[str]:
    """The labels at or above their decision threshold."""
    return [label for label in LABELS if scored.scores[label] >= thresholds.get(label, 0.5)]
