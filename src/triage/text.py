"""Text normalisation before scoring: Unicode NFKC, homoglyphs, leetspeak and spacing tricks.

The normalised text is what the model sees; PII spans are always found on the original text so
their offsets stay valid for highlighting and redaction.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

# Cyrillic and Greek letters that look like Latin ones, used to dodge word filters.
_HOMOGLYPHS = str.maketrans(
    {
        "а": "a",
        "е": "e",
        "о": "o",
        "р": "p",
        "с": "c",
        "у": "y",
        "х": "x",
        "і": "i",
        "ј": "j",
        "ѕ": "s",
        "ԁ": "d",
        "ɡ": "g",
        "һ": "h",
        "к": "k",
        "м": "m",
        "т": "t",
        "в": "b",
        "н": "h",
        "А": "A",
        "В": "B",
        "Е": "E",
        "К": "K",
        "М": "M",
        "Н": "H",
        "О": "O",
        "Р": "P",
        "С": "C",
        "Т": "T",
        "Х": "X",
        "У": "Y",
        "α": "a",
        "ο": "o",
        "ε": "e",
        "ι": "i",
        "κ": "k",
        "ν": "v",
        "ρ": "p",
        "τ": "t",
        "υ": "u",
        "χ": "x",
    }
)

# Characters standing for letters inside a word ("sh1t", "@ss", "f*ck" keeps its star: see below).
_LEET = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"}
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
# A word that mixes letters with leet characters: at least one letter and one leet character.
_MIXED_WORD = re.compile(r"(?<!\w)(?=[\w@$!]*[A-Za-z])(?=[\w@$!]*[013457@$!])[\w@$!]+")
# Masked letters such as f*ck, sh*t, c**t: a letter, one to three stars or dots, letters.
_MASKED = re.compile(r"\b([A-Za-z]{1,3})[*#]{1,3}([A-Za-z]{1,4})\b")
_MASK_FILL = {
    ("f", "ck"): "fuck",
    ("f", "cking"): "fucking",
    ("sh", "t"): "shit",
    ("c", "nt"): "cunt",
    ("c", "t"): "cunt",
    ("b", "tch"): "bitch",
    ("a", "s"): "ass",
    ("tw", "t"): "twat",
    ("b", "llocks"): "bollocks",
    ("p", "ss"): "piss",
    ("d", "ck"): "dick",
    ("w", "nker"): "wanker",
    ("f", "k"): "fuck",
    ("f", "cker"): "fucker",
}
# Single letters separated by spaces, dots or dashes: "f u c k", "s.h.i.t".
_SPACED = re.compile(r"(?<![A-Za-z])(?:[A-Za-z][ .\-_]){2,}[A-Za-z](?![A-Za-z])")
_REPEATS = re.compile(r"([A-Za-z])\1{2,}")
_WHITESPACE = re.compile(r"\s+")


def _unleet(match: re.Match[str]) -> str:
    word = match.group(0)
    if word.startswith("@") and not word.lower().startswith("@ss"):
        return word  # a mention (@USER), not a leet "a"
    core = word.rstrip("!")  # "shit!!" ends in emphasis, not in a leet "i"
    # Keep real alphanumeric tokens: postcodes (ME10 3HT), roads (A1, M25), ordinals (1st, 22nd).
    if re.fullmatch(r"[A-Z]{1,2}\d{1,3}[A-Z]?|\d[A-Z]{2}|\d+(st|nd|rd|th|s|am|pm|k|m)?", core, re.I) and (
        core.isupper() or core[0].isdigit()
    ):
        return word
    return "".join(_LEET.get(ch, ch) for ch in core) + word[len(core) :]


def _unmask(match: re.Match[str]) -> str:
    head, tail = match.group(1).lower(), match.group(2).lower()
    return _MASK_FILL.get((head, tail), match.group(0))


def _unspace(match: re.Match[str]) -> str:
    return re.sub(r"[ .\-_]", "", match.group(0))


def normalise(text: str) -> str:
    """Fold the usual evasion tricks so the model sees the word the writer meant."""
    text = unicodedata.normalize("NFKC", text)
    text = _ZERO_WIDTH.sub("", text).translate(_HOMOGLYPHS)
    text = _MASKED.sub(_unmask, text)
    text = _MIXED_WORD.sub(_unleet, text)
    text = _SPACED.sub(_unspace, text)
    text = _REPEATS.sub(r"\1\1", text)
    return _WHITESPACE.sub(" ", text).strip()


def dedup_key(text: str) -> str:
    """A key under which near-identical texts collide: used for deduplication and repeats."""
    text = re.sub(r"https?://\S+|www\.\S+", " url ", text)
    text = re.sub(r"@\w+", "@user", text)
    text = normalise(text).lower()
    text = re.sub(r"[^\w@ ]+", " ", text)
    return _WHITESPACE.sub(" ", text).strip()


def raw_offsets(raw: str, normalised: str) -> list[int]:
    """For each character of `normalise(raw)`, the index in `raw` it came from (one extra entry for
    the end), so spans the model finds in normalised text can be shown on what the writer typed.

    Normalisation changes few characters (it folds leetspeak in place, drops spacing and repeats), so
    a case-insensitive diff aligns them: matched runs map exactly, edited runs map in proportion.
    """
    if raw == normalised:
        return list(range(len(raw) + 1))
    import difflib

    matcher = difflib.SequenceMatcher(None, raw.lower(), normalised.lower(), autojunk=False)
    offsets = [0] * (len(normalised) + 1)
    for _, raw_start, raw_end, norm_start, norm_end in matcher.get_opcodes():
        width = norm_end - norm_start
        for index in range(width):
            offsets[norm_start + index] = raw_start + (index * (raw_end - raw_start)) // width
    offsets[len(normalised)] = len(raw.rstrip())
    return offsets


def split_at_spans(text: str, spans: list[dict[str, Any]]) -> list[tuple[str, str | None]]:
    """The text cut into (piece, span type or None) in order: what marking, masking and redacting
    personal information in a comment all start from."""
    out: list[tuple[str, str | None]] = []
    last = 0
    for span in sorted(spans, key=lambda s: s["start"]):
        out += [(text[last : span["start"]], None), (text[span["start"] : span["end"]], span["type"])]
        last = span["end"]
    return [*out, (text[last:], None)]
