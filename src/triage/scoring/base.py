"""The Scorer contract: texts in; per text a probability per label, PII spans and an intent."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from triage.labels import INTENTS, LABELS
from triage.scoring.bundle import BundleError, Manifest
from triage.scoring.encoding import Encoded, calibrated, model_spans, unread_by_transformer
from triage.scoring.intent import rule_intent
from triage.scoring.ngram import NgramHead
from triage.scoring.pii import combine_spans, find_pii
from triage.types import PiiSpan, ScoredText

# A validated PII span is stronger evidence than the model: the personal_info score agrees with it.
PII_SPAN_SCORE = 0.99
NAME_ONLY_TYPES = frozenset({"person_name"})


def has_private_detail(spans: Iterable[PiiSpan]) -> bool:
    """A private detail among the spans: a name alone is not one ("thanks to Dave at the depot")."""
    return any(span.type not in NAME_ONLY_TYPES for span in spans)


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
    span_floor: float = 0.0,
    pii_threshold: float | None = None,
    uncorroborated: tuple[str, ...] = (),
) -> ScoredText:
    """Combine model probabilities with the recognisers: PII spans (with the model's token head
    where `pii_sources` says it is the better source) and safety-critical intents. A recognised
    detail that the model alone would not flag (below `pii_threshold`) is uncorroborated."""
    allowed_contacts = tuple(allowed_contacts)
    recognised = find_pii(text, allowed_contacts)
    spans = tuple(combine_spans(text, recognised, model_spans, pii_sources or {}, allowed_contacts))
    scores = {label: float(probabilities.get(label, 0.0)) for label in LABELS}
    # A name alone is not personal information ("thanks to Dave at the depot"); a name with, or
    # any other, private detail is (DESIGN.md s2: "a named person's private details"), unless the
    # model reads the text as plainly not publishing one (`span_floor`, chosen on validation: a scam
    # caller's number quoted as a warning is not personal information, guide convention 9).
    if has_private_detail(spans) and scores["personal_info"] >= span_floor:
        patterns_only = all(span.source != "model" for span in spans if span.type not in NAME_ONLY_TYPES)
        if pii_threshold is not None and scores["personal_info"] < pii_threshold and patterns_only:
            uncorroborated = (*uncorroborated, "personal_info")
        scores["personal_info"] = max(scores["personal_info"], PII_SPAN_SCORE)
    ruled = rule_intent(text)
    # Emergencies and safeguarding must not be missed: a keyword hit wins over the model.
    if not intent_from_model or ruled in ("emergency", "safeguarding"):
        intent = ruled
    return ScoredText(scores=scores, pii_spans=spans, intent=intent, uncorroborated=uncorroborated)


def load_ngram_head(directory: Path, manifest: Manifest) -> NgramHead | None:
    """The bundle's n-gram head, where its calibration stacks one (bundles before it have none)."""
    if "ngram" not in manifest.files:
        return None
    try:
        return NgramHead.load(directory / manifest.files["ngram"])
    except (OSError, ValueError, KeyError) as error:
        raise BundleError(f"{directory}: the n-gram head cannot be read ({type(error).__name__})") from error


def scored_batch(
    texts: Sequence[str],
    encoded: Encoded,
    outputs: Sequence[np.ndarray],
    manifest: Manifest,
    allowed_contacts: Iterable[str] = (),
    ngram_head: NgramHead | None = None,
) -> list[ScoredText]:
    """A policy model's outputs (label, intent and PII tag logits) as scored texts: calibrated
    probabilities (stacked with the n-gram head's logits where the bundle has one), the intent, and
    the PII head's spans where the bundle chose them. A bundle from before the head (two outputs,
    or no `pii_sources`) keeps the recognisers alone."""
    label_logits, intent_logits = outputs[0], outputs[1]
    with_head = len(outputs) > 2 and bool(manifest.pii_sources)
    spans = model_spans(texts, encoded, outputs[2]) if with_head else [[] for _ in texts]
    ngram_logits = ngram_head.read(encoded.normalised) if ngram_head is not None else None
    probabilities = calibrated(label_logits, manifest.calibration, ngram_logits)
    unread = unread_by_transformer(label_logits, manifest.calibration)
    return [
        finalise(
            text,
            dict(zip(LABELS, map(float, row), strict=True)),
            INTENTS[int(i)],
            allowed_contacts,
            model_spans=found,
            pii_sources=manifest.pii_sources,
            span_floor=manifest.pii_span_floor,
            pii_threshold=manifest.thresholds.get("personal_info", DEFAULT_THRESHOLD),
            uncorroborated=labels,
        )
        for text, row, i, found, labels in zip(
            texts, probabilities, intent_logits.argmax(axis=1), spans, unread, strict=True
        )
    ]


DEFAULT_THRESHOLD = 0.5  # a label the model gives no threshold for


def is_flagged(scores: Mapping[str, float], label: str, thresholds: Mapping[str, float]) -> bool:
    """The one rule for "the model flags this label": its score at or above its threshold."""
    return scores.get(label, 0.0) >= thresholds.get(label, DEFAULT_THRESHOLD)


def flagged(scores: Mapping[str, float], thresholds: Mapping[str, float]) -> list[str]:
    """The labels at or above their decision threshold, in label order."""
    return [label for label in LABELS if is_flagged(scores, label, thresholds)]
