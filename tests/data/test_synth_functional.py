"""The functional-coverage generator: labels follow the family, misspellings fall on both sides."""

from __future__ import annotations

import random

from training.synth_functional import _perturb, generate


def test_families_fix_their_labels() -> None:
    rows = list(generate(2000, seed=3))
    by_family: dict[str, list] = {}
    for row in rows:
        by_family.setdefault(row.family, []).append(row)
    assert all(r.labels["hate"] == 1 for r in by_family["hate"] + by_family["hate_threat"])
    assert all(r.labels["threat"] == 1 for r in by_family["hate_threat"] + by_family["threat_person"])
    assert all(r.labels["hate"] == 0 for r in by_family["not_hate"] + by_family["abuse_not_hate"])
    assert all(r.labels["personal_info"] == 0 and r.labels["spam"] == 0 for r in by_family["council_contact"])
    assert all(r.labels["political"] == 0 for r in by_family["civil_criticism"])


def test_misspellings_change_the_word_but_keep_it_readable() -> None:
    rng = random.Random(1)
    for word in ("parasites", "disgusting", "immigrants"):
        for _ in range(20):
            variant = _perturb(word, rng)
            assert variant != word
            assert abs(len(variant.replace(" ", "")) - len(word)) <= 1


def test_generation_is_seeded() -> None:
    assert [r.text for r in generate(50, seed=9)] == [r.text for r in generate(50, seed=9)]
