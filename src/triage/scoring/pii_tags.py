"""Between character spans and the PII head's token tags: the gold tags a training text gets, and
the spans a scored text's predicted tags stand for, on the raw text the writer typed.

The model reads normalised text (triage.text.normalise), so token offsets are mapped back to the
raw text with `raw_offsets`; spans are widened to whole words, since a name cut mid-word is
neither highlighted nor redacted properly.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from triage.labels import PII_TAGS
from triage.text import raw_offsets
from triage.types import PiiSpan

_TAG_INDEX = {tag: index for index, tag in enumerate(PII_TAGS)}


def gold_tags(
    raw: str, normalised: str, token_offsets: Sequence[tuple[int, int]], spans: Sequence[dict[str, object]]
) -> list[int]:
    """The tag index of each token (special and padding tokens, offsets (0, 0), are -100: ignored)."""
    to_raw = raw_offsets(raw, normalised)
    tags, previous_span = [], None
    for start, end in token_offsets:
        if start == end:
            tags.append(-100)
            previous_span = None
            continue
        position = to_raw[start]
        span = next((s for s in spans if int(s["start"]) <= position < int(s["end"])), None)  # type: ignore[call-overload]
        if span is None:
            tags.append(_TAG_INDEX["O"])
        else:
            edge = "I" if span is previous_span else "B"
            tags.append(_TAG_INDEX[f"{edge}-{span['type']}"])
        previous_span = span
    return tags


def _widen(text: str, start: int, end: int) -> tuple[int, int]:
    while start > 0 and text[start - 1].isalnum() and text[start].isalnum():
        start -= 1
    while end < len(text) and text[end].isalnum() and text[end - 1].isalnum():
        end += 1
    return start, end


def predicted_spans(
    raw: str, normalised: str, token_offsets: Sequence[tuple[int, int]], tag_ids: np.ndarray
) -> list[PiiSpan]:
    """Spans from one text's predicted tags: a run of tokens of one type, opened by B or by an I
    that follows another type (a lenient reading, as seqeval's default)."""
    runs: list[tuple[int, int, str]] = []
    for (start, end), tag_id in zip(token_offsets, tag_ids, strict=False):
        if start == end:
            continue
        tag = PII_TAGS[int(tag_id)]
        if tag == "O":
            continue
        edge, kind = tag.split("-", 1)
        if runs and edge == "I" and runs[-1][2] == kind and runs[-1][1] >= start - 1:
            runs[-1] = (runs[-1][0], end, kind)
        else:
            runs.append((start, end, kind))
    if not runs:
        return []
    to_raw = raw_offsets(raw, normalised)
    spans: list[PiiSpan] = []
    for start, end, kind in runs:
        start, end = _widen(normalised, start, end)
        raw_start, raw_end = to_raw[start], to_raw[end - 1] + 1
        if spans and spans[-1].type == kind and raw_start <= spans[-1].end:
            spans[-1] = PiiSpan(spans[-1].start, max(raw_end, spans[-1].end), kind, "model")
        else:
            spans.append(PiiSpan(raw_start, raw_end, kind, "model"))
    return spans
