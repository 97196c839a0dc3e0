"""Normalisation: evasion tricks fold to the word meant; harmless text is left alone."""

from __future__ import annotations

import pytest

from triage.text import dedup_key, normalise


@pytest.mark.parametrize(
    ("tricked", "plain"),
    [
        ("f u c k off", "fuck off"),
        ("sh1t council", "shit council"),
        ("f*ck this", "fuck this"),
        ("ѕhіt", "shit"),
        ("you are @ss", "you are ass"),
        ("I.D.I.O.T", "IDIOT"),
        ("fuuuuuck", "fuuck"),
        ("zero\u200bwidth", "zerowidth"),
        ("ｆｕｌｌ width", "full width"),
        ("$hit!!", "shit!!"),
    ],
)
def test_tricks_fold(tricked: str, plain: str) -> None:
    assert normalise(tricked) == plain


@pytest.mark.parametrize(
    "text",
    [
        "ME10 3HT is my postcode",
        "The A21 and M25 are shut",
        "Scunthorpe and Penistone",
        "on the 1st and 22nd",
        "Call 07700 900123",
        "Bin day is 12/03",
        "U.K. politics",
    ],
)
def test_harmless_text_is_unchanged(text: str) -> None:
    assert normalise(text) == text


def test_dedup_key_ignores_case_links_and_punctuation() -> None:
    assert dedup_key("Check out http://spam.example NOW!!") == dedup_key("check out https://other.example now")
    assert dedup_key("@bob hello") == dedup_key("@alice Hello.")
