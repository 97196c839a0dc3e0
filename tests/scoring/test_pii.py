"""The PII recognisers: UK formats found with exact offsets; organisational contacts left alone."""

from __future__ import annotations

import pytest

from training.synth_pii import generate
from triage.evaluation import span_scores
from triage.scoring.pii import find_pii


def found(text: str, allowed: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    return [(span.type, text[span.start : span.end]) for span in find_pii(text, allowed)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ring him on 07911 123456 tonight", ("phone", "07911 123456")),
        ("or +44 7911 123456", ("phone", "+44 7911 123456")),
        ("email jo.bloggs@gmail.com now", ("email", "jo.bloggs@gmail.com")),
        ("postcode ME10 3HT", ("postcode", "ME10 3HT")),
        ("NI number AB 12 34 56 C", ("ni_number", "AB 12 34 56 C")),
        ("sort code 12-34-56", ("bank_details", "12-34-56")),
        ("born on 3rd March 1990", ("date_of_birth", "3rd March 1990")),
        ("car reg AB12 CDE parked", ("vehicle_registration", "AB12 CDE")),
        ("lives at 14 Acacia Avenue", ("address", "14 Acacia Avenue")),
        ("it was Mrs Jane Smith", ("person_name", "Mrs Jane Smith")),
    ],
)
def test_recognises_uk_formats(text: str, expected: tuple[str, str]) -> None:
    assert expected in found(text)


@pytest.mark.parametrize(
    "text",
    [
        "Call the council on 0300 123 4567",
        "Phone 101 or 999 in an emergency",
        "email mediaservices@swale.gov.uk",
        "I live in Scunthorpe",
        "ref 12345678",
        "consultation closes on 12/03/2025",
        "the A21 is shut",
    ],
)
def test_organisational_and_harmless_numbers_are_not_pii(text: str) -> None:
    assert found(text) == []


def test_published_council_number_is_allowed() -> None:
    text = "Call us on 01795 417 850"
    assert found(text) != []
    assert found(text, ("01795 417850",)) == []


def test_span_f1_on_held_out_synthetic_uk_set() -> None:
    rows = list(generate(400, seed=99))
    gold = [[(s["start"], s["end"], s["type"]) for s in r.spans] for r in rows]
    pred = [[(s.start, s.end, s.type) for s in find_pii(r.text)] for r in rows]
    assert span_scores(gold, pred)["f1"] >= 0.9
