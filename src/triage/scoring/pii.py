"""Validated recognisers for UK personal information, returning character spans on the raw text.

Phone numbers go through `phonenumbers` (region GB) so only real numbering-plan numbers count;
organisational numbers (03xx, 08xx, 0500, 999, 101, 111) and the council's own published contacts
are not personal information (DESIGN.md s2).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

import phonenumbers

from triage.types import PiiSpan

_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_POSTCODE = re.compile(r"\b(?:[A-Z]{1,2}\d[A-Z\d]?|GIR) ?\d[A-Z]{2}\b")
_NI = re.compile(r"\b(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b")
_SORT_CODE = re.compile(r"\b\d{2}-\d{2}-\d{2}\b|(?<=sort code )\d{2} ?\d{2} ?\d{2}\b", re.IGNORECASE)
_ACCOUNT = re.compile(r"(?<!\d)\d{8}(?!\d)")
_IBAN = re.compile(r"\bGB\d{2} ?[A-Z]{4}(?: ?\d{4}){3} ?\d{2}\b")
_CARD = re.compile(r"\b(?:\d[ -]?){12,18}\d\b")
_VEHICLE = re.compile(r"\b[A-Z]{2}\d{2} ?[A-Z]{3}\b")
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_DATE = re.compile(
    rf"\b(?:\d{{1,2}}[/.-]\d{{1,2}}[/.-](?:19|20)\d{{2}}|\d{{1,2}}(?:st|nd|rd|th)? (?:{_MONTHS}),? (?:19|20)\d{{2}})\b",
    re.IGNORECASE,
)
_DOB_CUE = re.compile(r"\b(born|d\.?o\.?b|date of birth|birthday)\b", re.IGNORECASE)
_STREET_TYPES = (
    "Road|Rd|Street|St|Avenue|Ave|Lane|Ln|Close|Drive|Dr|Way|Crescent|Gardens|Terrace|Place|"
    "Court|Grove|Hill|Park|Row|Mews|Walk|Square|Rise|View|Green|Parade"
)
_ADDRESS = re.compile(rf"\b(?:Flat \d+[A-Za-z]?,? )?\d{{1,4}}[A-Za-z]?,? (?:[A-Z][a-z']+ ){{1,3}}(?:{_STREET_TYPES})\b")
_TITLED_NAME = re.compile(
    r"\b(?:Mr|Mrs|Ms|Miss|Dr|Mx)\.? [A-Z][a-z']+(?:-[A-Z][a-z']+)?(?: [A-Z][a-z']+(?:-[A-Z][a-z']+)?)?"
)
_ORGANISATIONAL_EMAIL = re.compile(r"@(?:[\w-]+\.)*(?:gov|nhs|police|parliament|mod)\.uk$", re.I)
_ORGANISATIONAL_PREFIXES = ("03", "08", "0500", "999", "101", "111", "112")


@functools.cache
def _first_names() -> frozenset[str]:
    """UK first names from Faker's en_GB data: a gazetteer for untitled person names."""
    from faker.providers.person.en_GB import Provider

    names = set(Provider.first_names_male) | set(Provider.first_names_female)
    return frozenset(n for n in names if len(n) > 2)


_CAPITALISED_PAIR = re.compile(r"\b([A-Z][a-z]+) ([A-Z][a-z']+(?:-[A-Z][a-z']+)?)\b")


def _untitled_names(text: str) -> Iterable[PiiSpan]:
    names = _first_names()
    for match in _CAPITALISED_PAIR.finditer(text):
        if match.group(1) in names and match.group(2) not in names | {"Council", "Street", "Road"}:
            yield PiiSpan(match.start(), match.end(), "person_name")


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)


def _luhn_ok(number: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(number)):
        digit = int(char)
        if index % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def _phones(text: str, allowed: set[str]) -> Iterable[PiiSpan]:
    for match in phonenumbers.PhoneNumberMatcher(text, "GB", leniency=phonenumbers.Leniency.POSSIBLE):
        national = str(match.number.national_number)
        as_dialled = "0" + national if match.number.country_code == 44 else national
        # Valid numbering-plan numbers count, and so do mobile-shaped ones (07xxx xxxxxx) that
        # Ofcom keeps for drama: to an officer they read as someone's phone number all the same.
        mobile_shaped = len(as_dialled) == 11 and as_dialled.startswith("07")
        if not (phonenumbers.is_valid_number(match.number) or mobile_shaped):
            continue
        if as_dialled in allowed or as_dialled.startswith(_ORGANISATIONAL_PREFIXES):
            continue
        yield PiiSpan(match.start, match.end, "phone")


def _regex_spans(text: str) -> Iterable[PiiSpan]:
    for pattern, kind in (
        (_EMAIL, "email"),
        (_POSTCODE, "postcode"),
        (_NI, "ni_number"),
        (_IBAN, "bank_details"),
        (_SORT_CODE, "bank_details"),
        (_VEHICLE, "vehicle_registration"),
        (_ADDRESS, "address"),
        (_TITLED_NAME, "person_name"),
    ):
        for match in pattern.finditer(text):
            yield PiiSpan(match.start(), match.end(), kind)
    for match in _CARD.finditer(text):
        digits = _digits(match.group())
        if 13 <= len(digits) <= 19 and _luhn_ok(digits):
            yield PiiSpan(match.start(), match.end(), "bank_details")
    if _SORT_CODE.search(text):  # an account number means something only beside a sort code
        for match in _ACCOUNT.finditer(text):
            yield PiiSpan(match.start(), match.end(), "bank_details")
    for match in _DATE.finditer(text):
        window = text[max(0, match.start() - 40) : match.start()]
        if _DOB_CUE.search(window):
            yield PiiSpan(match.start(), match.end(), "date_of_birth")


def _drop_overlaps(spans: list[PiiSpan]) -> list[PiiSpan]:
    """Keep the longest span where two overlap (an address swallows its house number)."""
    kept: list[PiiSpan] = []
    for span in sorted(spans, key=lambda s: (-(s.end - s.start), s.start)):
        if all(span.end <= other.start or span.start >= other.end for other in kept):
            kept.append(span)
    return sorted(kept, key=lambda s: s.start)


def _published(value: str, allowed_numbers: Iterable[str]) -> bool:
    """A contact the council or another organisation publishes: never personal information."""
    value = value.strip().lower()
    if "@" in value:
        return value in {n.lower() for n in allowed_numbers} or bool(_ORGANISATIONAL_EMAIL.search(value))
    digits = _digits(value)
    if len(digits) < 3:
        return False
    dialled = "0" + digits[2:] if digits.startswith("44") else digits
    return dialled in {_digits(n) for n in allowed_numbers} or dialled.startswith(_ORGANISATIONAL_PREFIXES)


def find_pii(text: str, allowed_numbers: Iterable[str] = ()) -> list[PiiSpan]:
    """All personal-information spans in `text`; `allowed_numbers` are published contacts."""
    allowed = {_digits(number) for number in allowed_numbers}
    spans = list(_phones(text, allowed))
    spans += list(_untitled_names(text))
    for span in _regex_spans(text):
        if span.type == "email" and _published(text[span.start : span.end], allowed_numbers):
            continue
        spans.append(span)
    return _drop_overlaps(spans)


# Where the spans of each type come from, chosen per type on validation (training/pii_head.py):
# the recognisers alone, the model's token head alone, or both (the model's where no recogniser's).
PII_SOURCES = ("rules", "model", "both")


def combine_spans(
    text: str,
    recognised: Iterable[PiiSpan],
    from_model: Iterable[PiiSpan],
    sources: dict[str, str],
    allowed_numbers: Iterable[str] = (),
) -> list[PiiSpan]:
    """The recognisers' and the model's spans, each type from where `sources` says (rules by
    default). Model spans that are a published contact are dropped, as the recognisers' are."""
    allowed_numbers = tuple(allowed_numbers)
    kept = [s for s in recognised if sources.get(s.type, "rules") in ("rules", "both")]
    model = [
        s
        for s in from_model
        if sources.get(s.type, "rules") in ("model", "both") and not _published(text[s.start : s.end], allowed_numbers)
    ]
    kept += [m for m in model if all(m.end <= k.start or m.start >= k.end for k in kept)]
    return _drop_overlaps(kept)
