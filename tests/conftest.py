"""Shared fixtures: a fake scorer, profiles and fixed times."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import pytest

from triage.labels import LABELS
from triage.scoring.base import ScorerError, finalise
from triage.types import ScoredText


def scores(**given: float) -> dict[str, float]:
    """All eight labels at 0 except those given."""
    return dict.fromkeys(LABELS, 0.0) | given


class FakeScorer:
    """Scores by keywords, so tests can say what they mean: 'idiot' is abuse, '?' needs a response."""

    name = "fake"
    version = "fake-1"
    thresholds: ClassVar[dict[str, float]] = dict.fromkeys(LABELS, 0.5)
    keywords: ClassVar[dict[str, str]] = {
        "idiot": "abuse",
        "kill": "threat",
        "vermin": "hate",
        "fuck": "obscene",
        "discount": "spam",
        "vote": "political",
        "?": "needs_response",
    }

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.calls = 0

    def score(self, texts: Sequence[str]) -> list[ScoredText]:
        self.calls += 1
        if self.fail:
            raise ScorerError("fake model is down")
        out = []
        for text in texts:
            lowered = text.lower()
            given = {label: 0.95 for word, label in self.keywords.items() if word in lowered}
            out.append(finalise(text, scores(**given), "question" if "?" in text else "none"))
        return out


@pytest.fixture
def fake_scorer() -> FakeScorer:
    return FakeScorer()
