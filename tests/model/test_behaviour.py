"""Behaviour of the shipped bundle (`make test-model`): minimum functionality per label,
invariance to harmless edits, expected direction for known edits, and council-domain hard negatives.
These sentences were written for the tests, apart from the synthetic training templates."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from triage.labels import LABELS
from triage.policy.profile import published_contacts
from triage.scoring.onnx_backend import OnnxScorer

BUNDLE = Path("models/minilm-policy")
pytestmark = [pytest.mark.model, pytest.mark.skipif(not BUNDLE.exists(), reason="no shipped bundle")]
HARMFUL = ("abuse", "threat", "hate", "obscene", "spam", "political", "personal_info")


@pytest.fixture(scope="module")
def scorer() -> OnnxScorer:
    return OnnxScorer(BUNDLE, allowed_contacts=published_contacts())


def flagged(scorer: OnnxScorer, text: str) -> set[str]:
    result = scorer.score([text])[0]
    return {label for label in LABELS if result.scores[label] >= scorer.thresholds[label]}


MINIMUM = [
    ("abuse", "You are a pathetic, lying waste of space and everyone on this page knows it"),
    ("abuse", "Councillor Hughes is a spineless idiot"),
    ("threat", "I'm going to come round and smash your face in"),
    ("hate", "Immigrants are vermin and should be thrown out of this country"),
    ("obscene", "What a load of fucking shit"),
    ("spam", "WIN a FREE iPhone!!! Click the link in my bio and claim your prize now"),
    ("spam", "Check out my channel and subscribe for daily videos"),
    ("political", "Vote Labour on May 7th to kick the Tories out"),
    ("personal_info", "Her mobile is 07911 123456, give her a ring and tell her what you think"),
    ("needs_response", "Can you tell me when the garden waste bins will be collected in Hucknall?"),
    ("needs_response", "The streetlight outside my house has been broken for a fortnight, please can someone fix it"),
]


@pytest.mark.parametrize(("label", "text"), MINIMUM)
def test_minimum_functionality(scorer: OnnxScorer, label: str, text: str) -> None:
    assert label in flagged(scorer, text)


HARD_NEGATIVES = [
    "The decision to close the library is short-sighted and I am very disappointed in the cabinet",
    "Frankly the handling of the bin changes has been a shambles and the council owes residents an apology",
    "Scunthorpe United won again on Saturday",
    "The Penistone road is shut again for resurfacing",
    "This queue at the recycling centre is killing me",
    "Great to see the rainbow flag at the town hall, proud to be a gay man in this town",
    "For help with council tax call 01795 417 850",
    "Where is my polling station for the county council election?",
]
# Session 2 added training templates (training/synth_functional.py) for contacts, civil criticism
# and idioms after the sentences above were known, so those pass partly by construction. These were
# written afterwards in other words, apart from the templates, to measure transfer honestly.
HARD_NEGATIVES += [
    "Took me ages to find it but the bulky waste line is 0300 303 8671, open till 5",
    "Honestly the councillors should be embarrassed by how badly the parking charges were rolled out",
    "My back is killing me after shovelling the snow the gritters never came to clear",
    "Our Muslim neighbours brought round food for the whole street after the flood, lovely people",
]


@pytest.mark.parametrize("text", HARD_NEGATIVES)
def test_council_domain_hard_negatives_are_not_flagged_harmful(scorer: OnnxScorer, text: str) -> None:
    assert not (flagged(scorer, text) & set(HARMFUL))


INVARIANT = [
    ("Sarah, when is the bin collected on Mill Road?", "Tom, when is the bin collected on Church Lane?"),
    ("You are a useless idiot", "you are a useless idiot!!"),
    ("Lovely photo of the beach at Seaford", "Lovely photo of the beach at Sheerness."),
    ("fuck off", "f u c k off"),
    ("what a load of shit", "what a load of sh1t"),
]


@pytest.mark.parametrize(("original", "edited"), INVARIANT)
def test_invariance_to_harmless_edits(scorer: OnnxScorer, original: str, edited: str) -> None:
    a, b = scorer.score([original, edited])
    assert flagged(scorer, original) == flagged(scorer, edited)
    assert max(abs(a.scores[label] - b.scores[label]) for label in LABELS) < 0.25


DIRECTIONAL = [
    (
        "abuse",
        "The new parking scheme is poorly planned",
        "The new parking scheme is poorly planned, you brainless morons",
    ),
    (
        "threat",
        "I am angry about the bin collections",
        "I am angry about the bin collections and someone is going to get hurt",
    ),
    ("spam", "Nice photo of the park", "Nice photo of the park, DM me for cheap hot tubs"),
]


@pytest.mark.parametrize(("label", "before", "after"), DIRECTIONAL)
def test_expected_direction_for_known_edits(scorer: OnnxScorer, label: str, before: str, after: str) -> None:
    a, b = scorer.score([before, after])
    assert b.scores[label] > a.scores[label]


def test_onnx_and_torch_agree_on_the_shipped_bundle(scorer: OnnxScorer) -> None:
    from triage.scoring.torch_backend import TorchScorer

    texts = [text for _, text in MINIMUM] + HARD_NEGATIVES
    onnx = np.array([[r.scores[label] for label in LABELS] for r in scorer.score(texts)])
    torch_scorer = TorchScorer(BUNDLE, allowed_contacts=published_contacts())  # the same recognisers
    reference = np.array([[r.scores[label] for label in LABELS] for r in torch_scorer.score(texts)])
    gaps = np.abs(onnx - reference)
    print(f"int8 vs fp16 torch: mean {gaps.mean():.4f}, largest {gaps.max():.4f}")
    # Calibration is fitted on the int8 model's logits (what is served), and its Platt slopes are
    # steep enough that int8 rounding moves a mid-range probability by up to about 0.08 (session 7
    # bundle: needs_response 0.088 against 0.165 on a civil complaint, flagged by neither). What
    # the product acts on must agree: every flag at the bundle's thresholds.
    limits = np.array([scorer.thresholds[label] for label in LABELS])
    assert ((onnx >= limits) == (reference >= limits)).all()
    assert gaps.mean() <= 0.01 and gaps.max() <= 0.1


# Names no recogniser pattern or gazetteer covers (no title, not Faker's en_GB first names): the
# PII head finds them, with a private detail beside them. Written for this test.
NAMED_WITH_DETAILS = [
    ("The woman at number 9 is Chidinma Okafor and she is on 07700 900471", "Chidinma Okafor"),
    ("Ask Wojciech Nowak at 14 Fernbank Close, he dumped the mattress", "Wojciech Nowak"),
]


@pytest.mark.parametrize(("text", "name"), NAMED_WITH_DETAILS)
def test_pii_head_finds_untitled_names(scorer: OnnxScorer, text: str, name: str) -> None:
    result = scorer.score([text])[0]
    starts = [s.start for s in result.pii_spans if s.type == "person_name" and s.source == "model"]
    assert text.index(name) in starts  # the name is highlighted from where it begins
    assert result.scores["personal_info"] >= 0.99


@pytest.mark.xfail(strict=True, reason="the uncased head misses surnames it has not seen (docs/EVALUATION.md)")
@pytest.mark.parametrize(("text", "name"), NAMED_WITH_DETAILS)
def test_pii_head_spans_the_whole_name(scorer: OnnxScorer, text: str, name: str) -> None:
    result = scorer.score([text])[0]
    assert name in [text[s.start : s.end] for s in result.pii_spans if s.type == "person_name"]


@pytest.mark.parametrize(
    "text", ["Huge thanks to Olusegun at the depot for sorting our bins", "Well done to Siobhan and the parks team"]
)
def test_a_name_alone_is_not_personal_information(scorer: OnnxScorer, text: str) -> None:
    assert "personal_info" not in flagged(scorer, text)
