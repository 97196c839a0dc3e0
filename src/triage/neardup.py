"""Near-duplicate messages (seed 001: "the same message, or very similar messages"): MinHash over
character shingles of the dedup key, so an added emoji, a changed price or a reworded word still
collides, while different comments on the same post do not."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from datasketch import MinHash, MinHashLSH

from triage.text import dedup_key

SHINGLE = 5
PERMUTATIONS = 128
# Estimated Jaccard similarity of shingle sets at or above which two texts are copies of one message.
# Chosen on the council train and dev splits' near-duplicate groups (docs/EVALUATION.md).
SIMILARITY = 0.4
# Very short texts ("thanks!", "👍") repeat innocently: they are only ever exact copies.
MIN_KEY_CHARS = 20


@lru_cache(maxsize=20_000)
def cached_key(text: str) -> str:
    """The text's dedup key (triage.text.dedup_key), cached: a page's recent comments are keyed
    again with every new comment."""
    return dedup_key(text)


@lru_cache(maxsize=1)
def _template() -> MinHash:
    """Drawing the permutations is most of a new MinHash's cost: drawn once (the same seed, so
    the same signatures) and shared by every signature."""
    return MinHash(num_perm=PERMUTATIONS, seed=1)


def shingles(text: str) -> set[bytes]:
    key = cached_key(text)
    if len(key) < SHINGLE:
        return {key.encode()}
    return {key[i : i + SHINGLE].encode() for i in range(len(key) - SHINGLE + 1)}


@lru_cache(maxsize=20_000)  # a page's recent comments are compared again with every new one
def signature(text: str) -> MinHash:
    template = _template()
    minhash = MinHash(PERMUTATIONS, seed=1, permutations=template.permutations, scheme=template.scheme)
    minhash.update_batch(list(shingles(text)))
    return minhash


def similar(a: str, b: str, similarity: float = SIMILARITY) -> bool:
    """Whether `b` is a copy of `a` with small edits (or exactly the same once normalised)."""
    key_a, key_b = cached_key(a), cached_key(b)
    if key_a == key_b:
        return True
    if min(len(key_a), len(key_b)) < MIN_KEY_CHARS:
        return False
    return bool(signature(a).jaccard(signature(b)) >= similarity)


def count_copies(text: str, earlier: Iterable[str], similarity: float = SIMILARITY) -> int:
    """How many of the earlier texts are copies of `text`: `similar` to each, counted as the
    recorder counts them (`Nearby`, here over all of them at once)."""
    index = Nearby()
    for other in earlier:
        index.add(None, "", other)
    return index.copies(None, "", text, similarity)


class Nearby:
    """A council's recent comments, to count a new comment's copies among those by the same author
    or on the same post: `count_copies` over them, with every comment's key and signature looked up
    once and compared as arrays, not once a new comment (the recorder asks for 16 to 64 at a time)."""

    def __init__(self) -> None:
        self._by_author: dict[str | None, list[int]] = {}
        self._by_post: dict[str, list[int]] = {}
        self._key_ids: dict[str, int] = {}  # each distinct key a number, so keys compare as arrays
        self._keys = np.empty(64, dtype=np.int64)
        self._long = np.empty(64, dtype=bool)  # long enough to be compared by signature
        self._signatures = np.empty((64, PERMUTATIONS), dtype=np.uint64)
        self._count = 0

    def add(self, handle: str | None, post: str, text: str) -> None:
        row = self._count
        if row == len(self._keys):
            self._grow()
        key = cached_key(text)
        self._keys[row] = self._key_ids.setdefault(key, len(self._key_ids))
        self._long[row] = len(key) >= MIN_KEY_CHARS
        if self._long[row]:
            self._signatures[row] = signature(text).hashvalues
        self._by_author.setdefault(handle, []).append(row)
        self._by_post.setdefault(post, []).append(row)
        self._count += 1

    def _grow(self) -> None:
        size = 2 * len(self._keys)
        self._keys = np.resize(self._keys, size)
        self._long = np.resize(self._long, size)
        self._signatures = np.resize(self._signatures, (size, PERMUTATIONS))

    def copies(self, handle: str | None, post: str, text: str, similarity: float = SIMILARITY) -> int:
        """`count_copies(text, ...)` over the comments by `handle` or on `post`, each comment once."""
        rows = np.fromiter(set(self._by_author.get(handle, ())).union(self._by_post.get(post, ())), dtype=np.int64)
        key = cached_key(text)
        same = self._keys[rows] == self._key_ids.get(key, -1)
        exact = int(np.count_nonzero(same))
        if len(key) < MIN_KEY_CHARS:
            return exact
        candidates = rows[~same & self._long[rows]]
        if not len(candidates):
            return exact
        equal = np.count_nonzero(self._signatures[candidates] == signature(text).hashvalues, axis=1)
        return exact + int(np.count_nonzero(equal / PERMUTATIONS >= similarity))


@dataclass(frozen=True)
class Grouping:
    """Each text's group: the index of the first text it copies (itself when it copies none)."""

    first: tuple[int, ...]


def group(texts: Sequence[str], similarity: float = SIMILARITY) -> Grouping:
    """Group texts in order: each joins the earliest earlier text it is a copy of. LSH finds the
    candidates, the estimated similarity confirms them; exact keys always join."""
    lsh = MinHashLSH(threshold=similarity, num_perm=PERMUTATIONS)
    signatures: list[MinHash | None] = []
    by_key: dict[str, int] = {}
    first: list[int] = []
    for index, text in enumerate(texts):
        key = cached_key(text)
        if key in by_key:
            first.append(first[by_key[key]])
            signatures.append(None)
            continue
        by_key[key] = index
        if len(key) < MIN_KEY_CHARS:
            first.append(index)
            signatures.append(None)
            continue
        minhash = signature(text)
        matches = [int(m) for m in lsh.query(minhash) if minhash.jaccard(signatures[int(m)]) >= similarity]
        first.append(min(first[m] for m in matches) if matches else index)
        lsh.insert(str(index), minhash)
        signatures.append(minhash)
    return Grouping(tuple(first))


class Index:
    """Texts seen so far, asked whether a new text copies any of them (LSH candidates, confirmed)."""

    def __init__(self, similarity: float = SIMILARITY) -> None:
        self.similarity = similarity
        self._lsh = MinHashLSH(threshold=similarity, num_perm=PERMUTATIONS)
        self._signatures: list[MinHash] = []
        self._keys: set[str] = set()

    def add(self, text: str) -> None:
        key = cached_key(text)
        self._keys.add(key)
        if len(key) >= MIN_KEY_CHARS:
            minhash = signature(text)
            self._lsh.insert(str(len(self._signatures)), minhash)
            self._signatures.append(minhash)

    def copies(self, text: str) -> bool:
        key = cached_key(text)
        if key in self._keys:
            return True
        if len(key) < MIN_KEY_CHARS:
            return False
        mine = signature(text)
        return any(mine.jaccard(self._signatures[int(m)]) >= self.similarity for m in self._lsh.query(mine))
