"""The recorder's index of a council's recent comments counts the same copies as `count_copies`
over the comments by the same author or on the same post, each comment once."""

from __future__ import annotations

import random

from triage import neardup

ADVERTS = [
    "Earn £500 a day from home, message me on WhatsApp for details",
    "Crypto investment returns guaranteed, DM me today for the link",
    "Cheap driveway cleaning in Faversham, ring Dave for a quote now",
]
OTHERS = [
    "When is the green bin collection this week?",
    "There's a pothole on Station Road",
    "thanks!",
    "👍",
    "Lovely photo of the seafront at sunset this evening",
]


def _text(chosen: random.Random) -> str:
    text = chosen.choice(ADVERTS + OTHERS)
    if chosen.random() < 0.5:  # a near-copy: a word changed or an emoji added
        text = text.replace("500", str(chosen.randint(100, 999))) + chosen.choice(["", " 🙂", "!!"])
    return text


def test_the_index_counts_what_count_copies_counts_over_the_same_comments() -> None:
    chosen = random.Random(7)
    index, rows = neardup.Nearby(), []
    for _ in range(400):
        handle, post, text = chosen.choice(["a", "b", "c", None]), chosen.choice(["p1", "p2", "p3"]), _text(chosen)
        nearby = [t for h, p, t in rows if h == handle or p == post]
        assert index.copies(handle, post, text) == neardup.count_copies(text, nearby)
        index.add(handle, post, text)
        rows.append((handle, post, text))


def test_an_empty_index_counts_no_copies() -> None:
    assert neardup.Nearby().copies("a", "p1", ADVERTS[0]) == 0
    assert neardup.Nearby().copies("a", "p1", "thanks!") == 0
