"""Synthetic UK-format personal information in comment sentences, with character spans.

Faker's en_GB locale gives names, streets, towns and postcodes; its NI numbers (ZZ prefix) and
phone numbers (Ofcom drama ranges) are not valid, so those are built here to the real formats and
checked with `phonenumbers`. Every row is marked synthetic.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

import phonenumbers
from faker import Faker

_STREET_TYPES = ["Road", "Street", "Avenue", "Lane", "Close", "Drive", "Way", "Crescent", "Gardens", "Terrace"]
_NI_FIRST = "ABCEGHJKLMNOPRSTWXYZ"
_NI_SECOND = "ABCEGHJKLMNPRSTWXYZ"
_AREA_CODES = [
    "0113",
    "0114",
    "0115",
    "0116",
    "0117",
    "0118",
    "0121",
    "0131",
    "0141",
    "0151",
    "0161",
    "01795",
    "01273",
    "01322",
    "01622",
    "01904",
    "020",
]

# (template, label needed): {x} slots are filled and their spans recorded.
_TEMPLATES = [
    "My neighbour {name} keeps parking across my drive, ring him on {phone} and tell him",
    "{name} at {address} has been fly-tipping again, everyone should go round",
    "Anyone know {name}? Her number is {phone}, she owes me money",
    "Can someone from the council call me back on {phone} about my missed bin",
    "My email is {email}, please send me the planning documents",
    "The landlord {name} lives at {address}, {postcode}, sort him out",
    "Here's his mobile {phone} and email {email}, let him know what you think",
    "I live at {address} {postcode} and my bins haven't been emptied for three weeks",
    "My NI number is {ni} can you check my council tax reduction",
    "Pay the refund into sort code {sort_code} account {account} please",
    "{name}, DOB {dob}, is the one who broke the bus shelter",
    "The car {reg} has been dumped outside number 12 for a month, owner is {name}",
    "Contact me on {email} or {phone} regarding the housing application",
    "Her date of birth is {dob} and she lives at {address}",
    "The driver of {reg} was on his phone, it's {name} from {postcode}",
    "Council tax account for {address}, {postcode}: my NI is {ni}",
    "my son {name} born {dob} needs a school place, call {phone}",
    "Send the forms to {email}, or post them to {address}, {postcode}",
]
_NEGATIVES = [
    "Call us on 01795 417 850 or email mediaservices@swale.gov.uk for help with your bin",
    "Ring the council on 0300 123 4567 to report a missed collection",
    "The consultation closes on 12/03/2025, have your say",
    "Road closed between junction 5 and 6 of the M25 this weekend",
    "Bin collections move by a day after the bank holiday on 26th December",
    "The A21 will be resurfaced from 3rd March, expect delays",
    "Our reference for your case is 12345678, we'll be in touch",
    "Phone 101 for non-emergencies or 999 in an emergency",
    "Visit the customer service centre on the High Street, open 9 to 5",
    "Planning application 23/00412/FUL is available on the portal",
]


@dataclass(frozen=True)
class SynthRow:
    text: str
    spans: list[dict[str, object]]
    personal_info: int


def _phone(rng: random.Random) -> str:
    while True:
        if rng.random() < 0.6:
            number = "07" + rng.choice("123457789") + "".join(rng.choices("0123456789", k=8))
            shown = f"{number[:5]} {number[5:]}"
        else:
            code = rng.choice(_AREA_CODES)
            rest = "".join(rng.choices("23456789", k=1)) + "".join(rng.choices("0123456789", k=10 - len(code)))
            number, shown = code + rest, f"{code} {rest[:3]} {rest[3:]}" if len(rest) > 6 else f"{code} {rest}"
        parsed = phonenumbers.parse(number, "GB")
        if phonenumbers.is_valid_number(parsed):
            return shown if rng.random() < 0.7 else "+44 " + shown[1:]


def _ni(rng: random.Random) -> str:
    prefix = rng.choice(_NI_FIRST) + rng.choice(_NI_SECOND)
    while prefix in {"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"}:
        prefix = rng.choice(_NI_FIRST) + rng.choice(_NI_SECOND)
    digits = "".join(rng.choices("0123456789", k=6))
    suffix = rng.choice("ABCD")
    if rng.random() < 0.5:
        return f"{prefix}{digits}{suffix}"
    return f"{prefix} {digits[:2]} {digits[2:4]} {digits[4:]} {suffix}"


def _value(slot: str, fake: Faker, rng: random.Random) -> str:
    if slot == "name":
        return fake.name() if rng.random() < 0.7 else f"{rng.choice(['Mr', 'Mrs', 'Ms'])} {fake.last_name()}"
    if slot == "phone":
        return _phone(rng)
    if slot == "email":
        return fake.free_email()
    if slot == "postcode":
        return fake.postcode()
    if slot == "address":
        return f"{rng.randint(1, 240)} {fake.last_name()} {rng.choice(_STREET_TYPES)}"
    if slot == "ni":
        return _ni(rng)
    if slot == "sort_code":
        return f"{rng.randint(10, 99)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}"
    if slot == "account":
        return "".join(rng.choices("0123456789", k=8))
    if slot == "dob":
        born = fake.date_of_birth(minimum_age=5, maximum_age=90)
        return born.strftime("%d/%m/%Y") if rng.random() < 0.6 else born.strftime("%-d %B %Y")
    if slot == "reg":
        letters = "ABCDEFGHJKLMNOPRSTUVWXYZ"
        return (
            f"{rng.choice(letters)}{rng.choice(letters)}{rng.randint(51, 74):02d} {''.join(rng.choices(letters, k=3))}"
        )
    raise KeyError(slot)


_SLOT_TYPE = {
    "name": "person_name",
    "phone": "phone",
    "email": "email",
    "postcode": "postcode",
    "address": "address",
    "ni": "ni_number",
    "sort_code": "bank_details",
    "account": "bank_details",
    "dob": "date_of_birth",
    "reg": "vehicle_registration",
}


def _fill(template: str, fake: Faker, rng: random.Random) -> SynthRow:
    text, spans, rest = "", [], template
    while "{" in rest:
        before, _, after = rest.partition("{")
        slot, _, rest = after.partition("}")
        text += before
        value = _value(slot, fake, rng)
        spans.append({"start": len(text), "end": len(text) + len(value), "type": _SLOT_TYPE[slot]})
        text += value
    return SynthRow(text + rest, spans, 1)


def generate(n: int, seed: int, negatives_share: float = 0.2) -> Iterator[SynthRow]:
    """`n` rows; about `negatives_share` are council-published contacts and harmless numbers."""
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    for _ in range(n):
        if rng.random() < negatives_share:
            yield SynthRow(rng.choice(_NEGATIVES), [], 0)
        else:
            yield _fill(rng.choice(_TEMPLATES), fake, rng)
