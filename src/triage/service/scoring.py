"""Fail-safe scoring: a model failure of any kind (error, timeout, non-finite or out-of-range
scores) becomes a cause to refer the comment to a human, never a guess; bundles are checked on load."""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from pathlib import Path

from triage.policy.profile import published_contacts
from triage.scoring.base import Scorer
from triage.scoring.bundle import BundleError
from triage.scoring.registry import load_bundle
from triage.types import ScoredText

log = logging.getLogger("triage.service")

# Known texts every servable bundle must score as finite probabilities, one per kind of comment.
PROBE_TEXTS = (
    "When is the garden waste collected on Mill Road?",
    "You are all useless idiots",
    "Ring him on 07911 123456 or email dave@example.com",
    "Vote for the Green Party on Thursday",
    "Earn £300 a week from home, message me now",
    "",
)
NOT_LOADED, TIMED_OUT, UNUSABLE = "model not loaded", "model timed out", "model returned unusable scores"


@dataclass(frozen=True)
class ScoreOutcome:
    """What the model said about one text, or why it could not say (then `scored` is None)."""

    scored: ScoredText | None
    model_version: str | None
    failure: str = ""

    @classmethod
    def failed(cls, failure: str) -> ScoreOutcome:
        return cls(None, None, failure)


def usable(scored: ScoredText) -> bool:
    """Every label's score is a finite probability: anything else is a model failure."""
    return all(isinstance(v, float | int) and math.isfinite(v) and 0.0 <= v <= 1.0 for v in scored.scores.values())


def score_safely(scorer: Scorer | None, texts: Sequence[str]) -> list[ScoreOutcome]:
    """One outcome per text; never raises (fail safe)."""
    if scorer is None:
        return [ScoreOutcome.failed(NOT_LOADED)] * len(texts)
    try:
        scored = scorer.score(texts)
        if len(scored) != len(texts):
            raise ValueError(f"{len(scored)} results for {len(texts)} texts")
    except Exception as error:
        failure = f"model error: {type(error).__name__}"
        log.warning("scoring failed (%s); the comments go to human review", failure)
        return [ScoreOutcome.failed(failure)] * len(texts)
    outcomes = [ScoreOutcome(s, scorer.version) if usable(s) else ScoreOutcome.failed(UNUSABLE) for s in scored]
    if any(o.scored is None for o in outcomes):
        log.warning("the model returned non-finite or out-of-range scores; those comments go to human review")
    return outcomes


class TimedScorer:
    """`score_safely` with a time limit, for callers without an event loop (the CLI, connectors):
    a model that hangs past `timeout_s` fails its batch safe."""

    def __init__(self, timeout_s: float) -> None:
        self.timeout_s = timeout_s
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="scorer")

    def __call__(self, scorer: Scorer | None, texts: Sequence[str]) -> list[ScoreOutcome]:
        future = self._executor.submit(score_safely, scorer, list(texts))
        try:
            return future.result(timeout=self.timeout_s)
        except FutureTimeout:
            log.warning("scoring timed out; the comments go to human review")
            return [ScoreOutcome.failed(TIMED_OUT)] * len(texts)


def validate_scorer(scorer: Scorer) -> None:
    """Refuse a scorer that cannot score the known texts as finite probabilities."""
    try:
        scored = scorer.score(list(PROBE_TEXTS))
    except Exception as error:
        raise BundleError(f"model {scorer.version} fails on known texts: {type(error).__name__}") from error
    if len(scored) != len(PROBE_TEXTS) or not all(usable(s) for s in scored):
        raise BundleError(f"model {scorer.version} gives non-finite or out-of-range scores on known texts")


def load_scorer(directory: Path, *, spin: bool = True, threads: int = 0) -> Scorer:
    """The one place a bundle is loaded for serving: with the councils' published contacts (never
    personal information), and refused unless it scores known texts as finite probabilities."""
    scorer = load_bundle(directory, allowed_contacts=published_contacts(), spin=spin, threads=threads)
    validate_scorer(scorer)
    return scorer
