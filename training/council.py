"""The written council-domain corpus (data/council/): reading it, assembling leak-free splits, and
the figures its README reports (size, coverage, how written it is, label agreement)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from triage import neardup
from triage.data import read_jsonl
from triage.labels import LABELS
from triage.text import dedup_key

ROOT = Path("data/council")
# Corpus split -> training-table split. Higher splits win when a text (or a near-copy) is in two.
# test_b is the second test split (writers G and H, session 7): measured only, like test.
TABLE_SPLIT = {"test": "test", "test_b": "test", "dev": "val", "train": "train"}
# The splits a second, independent labelling measures (the README's agreement table).
LABELLED_TWICE = ("dev", "test", "test_b")
SOURCE = "council_written"


def _read_folder(folder: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for path in sorted(folder.glob("*.jsonl")):
        rows.extend(read_jsonl(path))
    return rows


def adjudicated(root: Path, split: str) -> dict[str, dict[str, Any]]:
    """Labels settled by the guide where the two labellings of a split disagreed, by row id."""
    path = root / "adjudication" / f"{split}.jsonl"
    if not path.exists():
        return {}
    return {row["id"]: row for row in read_jsonl(path)}


def read_split(root: Path, split: str) -> list[dict[str, Any]]:
    """A split's rows as written, with adjudicated labels applied."""
    settled = adjudicated(root, split)
    rows = _read_folder(root / split)
    for row in rows:
        for field in (*LABELS, "intent"):
            if row["id"] in settled and field in settled[row["id"]]:
                row[field] = settled[row["id"]][field]
    return rows


def assemble(root: Path = ROOT) -> tuple[dict[str, list[dict[str, Any]]], dict[str, int]]:
    """The splits with no text, and no near-copy of a text, of a higher split in a lower one."""
    index = neardup.Index()
    splits: dict[str, list[dict[str, Any]]] = {}
    dropped: dict[str, int] = {}
    for split in TABLE_SPLIT:
        if not (root / split).exists():
            continue
        kept = []
        for row in read_split(root, split):
            if index.copies(row["text"]):
                dropped[split] = dropped.get(split, 0) + 1
                continue
            kept.append(row)
        for row in kept:
            index.add(row["text"])
        splits[split] = kept
    return splits, dropped


def table_rows(root: Path = ROOT) -> Iterator[dict[str, Any]]:
    """Reader for the training table: every label known, the intent, the corpus split."""
    if not root.exists():
        return
    splits, _ = assemble(root)
    for split, rows in splits.items():
        for row in rows:
            yield {
                "text": row["text"],
                "source": SOURCE,
                "split": TABLE_SPLIT[split],
                "synthetic": True,
                "labels": {label: int(row[label]) for label in LABELS},
                "intent": row["intent"],
                "pii_spans": [],
            }


def welsh(root: Path = ROOT) -> list[dict[str, Any]]:
    return _read_folder(root / "welsh")


def coverage(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Counts per label, intent, platform, hard case; clean and multi-label shares; groups, topics."""
    n = max(len(rows), 1)
    positives = [sum(int(row[label]) for label in LABELS) for row in rows]
    return {
        "rows": len(rows),
        "labels": {label: sum(int(row[label]) for row in rows) for label in LABELS},
        "intents": dict(Counter(row["intent"] for row in rows).most_common()),
        "platforms": dict(Counter(row["platform"] for row in rows).most_common()),
        "hard_cases": dict(Counter(row["hard_case"] for row in rows if row.get("hard_case")).most_common()),
        "clean_share": round(sum(p == 0 for p in positives) / n, 3),
        "multi_label_share": round(sum(p >= 2 for p in positives) / n, 3),
        "near_duplicate_groups": len({row["dup_group"] for row in rows if row.get("dup_group")}),
        "post_topics": len({row["post_topic"] for row in rows}),
    }


def distinct_four_grams_per_comment(texts: list[str]) -> float:
    """Distinct word 4-grams in the corpus per comment: templates and recombined fragments score low."""
    grams: set[tuple[str, ...]] = set()
    for text in texts:
        words = dedup_key(text).split()
        grams.update(tuple(words[i : i + 4]) for i in range(len(words) - 3))
    return round(len(grams) / max(len(texts), 1), 2)


def nearest_neighbour_similarity(rows: list[dict[str, Any]]) -> dict[str, float]:
    """TF-IDF cosine of each comment to its nearest other comment outside its own copy group."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    matrix = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True).fit_transform([r["text"] for r in rows])
    groups = np.array([row.get("dup_group") or f"own-{i}" for i, row in enumerate(rows)])
    best = np.zeros(len(rows))
    for start in range(0, len(rows), 500):
        block = (matrix[start : start + 500] @ matrix.T).toarray()
        same_group = groups[start : start + 500, None] == groups[None, :]
        block[same_group] = 0.0
        best[start : start + 500] = block.max(axis=1)
    return {
        "median": round(float(np.median(best)), 3),
        "p95": round(float(np.percentile(best, 95)), 3),
        "share_above_0.8": round(float(np.mean(best > 0.8)), 4),
    }


def agreement(root: Path, split: str) -> dict[str, Any] | None:
    """Cohen's kappa per label and intent agreement between the writer's labels and a second,
    independent labelling of the same split (before adjudication)."""
    from sklearn.metrics import cohen_kappa_score

    path = root / "second_labelling" / f"{split}.jsonl"
    if not path.exists():
        return None
    second = {row["id"]: row for row in read_jsonl(path)}
    first = [row for row in _read_folder(root / split) if row["id"] in second]
    kappa = {}
    for label in LABELS:
        a = [int(row[label]) for row in first]
        b = [int(second[row["id"]][label]) for row in first]
        kappa[label] = round(float(cohen_kappa_score(a, b)), 3) if len(set(a) | set(b)) > 1 else 1.0
    intents = np.mean([row["intent"] == second[row["id"]]["intent"] for row in first])
    return {
        "rows": len(first),
        "kappa": kappa,
        "intent_agreement": round(float(intents), 3),
        "settled": len(adjudicated(root, split)),
    }


def _coverage_table(splits: dict[str, list[dict[str, Any]]]) -> list[str]:
    figures = {split: coverage(rows) for split, rows in splits.items()}
    lines = ["| | " + " | ".join(figures) + " |", "|---" * (len(figures) + 1) + "|"]
    keys = [
        ("rows", lambda f: f["rows"]),
        ("clean (no label)", lambda f: f"{f['clean_share']:.0%}"),
        ("multi-label", lambda f: f"{f['multi_label_share']:.0%}"),
        ("near-duplicate groups", lambda f: f["near_duplicate_groups"]),
        ("post topics", lambda f: f["post_topics"]),
    ]
    keys += [(label, lambda f, label=label: f["labels"][label]) for label in LABELS]
    intents = sorted({i for f in figures.values() for i in f["intents"]})
    keys += [(f"intent {i}", lambda f, i=i: f["intents"].get(i, 0)) for i in intents]
    kinds = sorted({k for f in figures.values() for k in f["hard_cases"]})
    keys += [(f"hard case {k}", lambda f, k=k: f["hard_cases"].get(k, 0)) for k in kinds]
    for name, value in keys:
        lines.append(f"| {name} | " + " | ".join(str(value(f)) for f in figures.values()) + " |")
    return lines


def _agreement_lines(root: Path) -> list[str]:
    lines = ["", "Second, independent labelling (Cohen's kappa per label, intent agreement):", ""]
    lines += [
        "| split | rows | " + " | ".join(LABELS) + " | intent | settled by the guide |",
        "|---" * (len(LABELS) + 5) + "|",
    ]
    for split in LABELLED_TWICE:
        figures = agreement(root, split)
        if figures is None:
            lines.append(f"| {split} | not yet labelled twice |" + " |" * (len(LABELS) + 2))
            continue
        kappas = " | ".join(f"{figures['kappa'][label]:.2f}" for label in LABELS)
        lines.append(
            f"| {split} | {figures['rows']} | {kappas} | {figures['intent_agreement']:.2f} | {figures['settled']} |"
        )
    return lines


def readme_figures(root: Path = ROOT) -> str:
    """The README's generated section: sizes, coverage, how written the corpus is, agreement."""
    splits, dropped = assemble(root)
    everything = [row for rows in splits.values() for row in rows]
    similarity = nearest_neighbour_similarity(everything)
    lines = [
        f"{len(everything)} comments after assembly ({sum(dropped.values())} dropped from a lower split as a "
        f"near-copy of a higher split's text), {len(welsh(root))} Welsh comments apart.",
        "",
        f"- distinct word 4-grams per comment: {distinct_four_grams_per_comment([r['text'] for r in everything])}",
        f"- nearest-neighbour TF-IDF cosine outside a comment's own copy group: median {similarity['median']}, "
        f"95th percentile {similarity['p95']}, share above 0.8 {similarity['share_above_0.8']:.2%}",
        "",
    ]
    return "\n".join(lines + _coverage_table(splits) + _agreement_lines(root)) + "\n"
