"""The council suites: the written corpus' dev and test splits and the Welsh set, read per label,
per intent and through every shipped council profile (what a council would actually see)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import numpy as np

from training import council
from training.evaluate import labelled_metrics
from training.suites import SuiteUnavailable, score_in_batches
from triage import neardup
from triage.labels import HARMFUL_LABELS, INTENTS, LABELS
from triage.language import context_fields
from triage.policy.engine import decide
from triage.policy.profile import load_profile, shipped_profiles
from triage.scoring.base import Scorer
from triage.types import Comment, Context, ScoredText

# A Tuesday mid-morning outside any pre-election period: deadlines and hours as on a working day.
WORKING_MORNING = datetime(2026, 3, 10, 10, 30, tzinfo=UTC)
RESPONSE_INTENTS = tuple(i for i in INTENTS if i not in ("none", "compliment"))


def _gold(row: dict[str, Any]) -> ScoredText:
    return ScoredText(scores={label: float(row[label]) for label in LABELS}, intent=row["intent"])


def _unreviewed(decision) -> bool:  # type: ignore[no-untyped-def]
    return not decision.needs_review


def profile_figures(rows: list[dict[str, Any]], scored: list[ScoredText]) -> dict[str, dict[str, float]]:
    """Per shipped profile: clean comments removed with no human, comments the profile would act on
    (by their gold labels) left up with no human, and needs-response comments routed to an officer."""
    contexts = [Context(now=WORKING_MORNING, **context_fields(row["text"])) for row in rows]  # type: ignore[arg-type]
    figures = {}
    for name, path in shipped_profiles().items():
        profile = load_profile(path)
        clean = harmful = needing = clean_removed = left_up = routed = removed = 0
        for row, prediction, context in zip(rows, scored, contexts, strict=True):
            comment = Comment(text=row["text"], platform=row["platform"])
            made = decide(comment, prediction, context, profile)
            removed += made.action == "remove" and _unreviewed(made)
            gold = decide(comment, _gold(row), Context(now=WORKING_MORNING), profile)
            if not any(int(row[label]) for label in LABELS):
                clean += 1
                clean_removed += made.action == "remove" and _unreviewed(made)
            if gold.action in ("remove", "refer") and any(int(row[label]) for label in HARMFUL_LABELS):
                harmful += 1
                left_up += made.action == "allow" and _unreviewed(made)
            if int(row["needs_response"]):
                needing += 1
                routed += made.action in ("respond", "refer") or made.needs_review
        figures[name] = {
            "clean_removed_automatically": round(clean_removed / max(clean, 1), 4),
            "harmful_left_up_unreviewed": round(left_up / max(harmful, 1), 4),
            "needs_response_routed": round(routed / max(needing, 1), 4),
            "removed_automatically": round(removed / max(len(rows), 1), 4),
            "clean": clean,
            "harmful": harmful,
            "needs_response": needing,
        }
    return figures


def intent_figures(rows: list[dict[str, Any]], scored: list[ScoredText]) -> dict[str, Any]:
    needing = [(row["intent"], s.intent) for row, s in zip(rows, scored, strict=True) if int(row["needs_response"])]
    confusion = {gold: dict.fromkeys(INTENTS, 0) for gold in INTENTS}
    for row, s in zip(rows, scored, strict=True):
        confusion[row["intent"]][s.intent] += 1
    accuracy = float(np.mean([gold == predicted for gold, predicted in needing])) if needing else float("nan")
    return {"intent_accuracy_needs_response": accuracy, "intent_confusion": confusion}


def council_metrics(scorer: Scorer, rows: list[dict[str, Any]]) -> dict[str, Any]:
    scored = score_in_batches(scorer, [row["text"] for row in rows])
    labelled = labelled_metrics(rows, scored, scorer.thresholds)
    return {
        "macro_f1": labelled["macro_f1"],
        "clean_false_flag_rate": labelled["false_flag_rate_unlabelled"],
        "n": len(rows),
        "per_label": labelled["per_label"],
        **intent_figures(rows, scored),
        "profiles": profile_figures(rows, scored),
    }


def _split(name: str) -> list[dict[str, Any]]:
    if not council.ROOT.exists():
        raise SuiteUnavailable(f"{council.ROOT} absent: the written council corpus is part of the repo")
    splits, _ = council.assemble(council.ROOT)
    if name not in splits:
        raise SuiteUnavailable(f"{council.ROOT / name} absent")
    return splits[name]


def council_dev(scorer: Scorer) -> dict[str, Any]:
    return _with_near_duplicates(scorer, "dev")


def _with_near_duplicates(scorer: Scorer, split: str) -> dict[str, Any]:
    rows = _split(split)
    return council_metrics(scorer, rows) | {"near_duplicates": neardup_figures(sorted(rows, key=lambda r: r["id"]))}


def council_test(scorer: Scorer) -> dict[str, Any]:
    return _with_near_duplicates(scorer, "test")


def council_test_b(scorer: Scorer) -> dict[str, Any]:
    """The second test split, written apart by two more writers on post topics no other writer had."""
    return _with_near_duplicates(scorer, "test_b")


def council_welsh(scorer: Scorer) -> dict[str, Any]:
    rows = council.welsh(council.ROOT)
    if not rows:
        raise SuiteUnavailable(f"{council.ROOT / 'welsh'} absent")
    return council_metrics(scorer, rows)


def _label_table(result: dict[str, Any]) -> list[str]:
    lines = ["| label | positives | P | R | F1 | PR-AUC | threshold |", "|---|---|---|---|---|---|---|"]
    for label, m in result["per_label"].items():
        lines.append(
            f"| {label} | {m['positives']} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} | "
            f"{m['pr_auc']:.3f} | {m['threshold']:.2f} |"
        )
    return lines


def _profile_table(result: dict[str, Any]) -> list[str]:
    lines = [
        "| profile | clean removed automatically | harmful left up unreviewed | needs-response routed |",
        "|---|---|---|---|",
    ]
    for profile, f in result["profiles"].items():
        lines.append(
            f"| {profile} | {f['clean_removed_automatically']:.1%} of {f['clean']} | "
            f"{f['harmful_left_up_unreviewed']:.1%} of {f['harmful']} | "
            f"{f['needs_response_routed']:.1%} of {f['needs_response']} |"
        )
    return lines


def _near_duplicates(result: dict[str, Any]) -> list[str]:
    if "near_duplicates" not in result:
        return []
    copies = result["near_duplicates"]
    return [
        "",
        f"Near-duplicates (MinHash, posting order): {copies['later_copies_grouped']:.1%} of "
        f"{copies['later_copies']} later copies grouped with their first; {copies['distinct_grouped_wrongly']:.2%} "
        f"of {copies['distinct']} distinct comments grouped wrongly.",
    ]


def _intent_confusion(result: dict[str, Any]) -> list[str]:
    intents = list(result["intent_confusion"])
    lines = [
        "Intent confusion (rows: written, columns: predicted)",
        "",
        "| | " + " | ".join(intents) + " |",
        "|---" * (len(intents) + 1) + "|",
    ]
    for gold, row in result["intent_confusion"].items():
        lines.append(f"| {gold} | " + " | ".join(str(row[i]) for i in intents) + " |")
    return lines


def markdown(name: str, result: dict[str, Any]) -> list[str]:
    """A council suite's report section: per label, the product figures per profile, intents."""
    heading = (
        f"## {name}: {result['n']} comments, macro-F1 {result['macro_f1']:.3f}, "
        f"clean comments with a harmful flag {result['clean_false_flag_rate']:.1%}, "
        f"intent accuracy on needs-response {result['intent_accuracy_needs_response']:.3f}"
    )
    return [
        *("", heading, "", *_label_table(result)),
        *("", *_profile_table(result)),
        *_near_duplicates(result),
        *("", *_intent_confusion(result)),
    ]


def neardup_figures(rows: list[dict[str, Any]], similarity: float = neardup.SIMILARITY) -> dict[str, float]:
    """On a split in posting order: the share of later copies in a near-duplicate group that are
    grouped with the group's first comment, and the share of distinct comments grouped with another."""
    grouping = neardup.group([row["text"] for row in rows], similarity).first
    first_of_group: dict[str, int] = {}
    later = caught = distinct = wrong = 0
    for index, row in enumerate(rows):
        group = row.get("dup_group")
        if group is None:
            distinct += 1
            wrong += grouping[index] != index
        elif group not in first_of_group:
            first_of_group[group] = index
        else:
            later += 1
            caught += grouping[index] == grouping[first_of_group[group]]
    return {
        "later_copies_grouped": round(caught / max(later, 1), 4),
        "distinct_grouped_wrongly": round(wrong / max(distinct, 1), 4),
        "later_copies": later,
        "distinct": distinct,
    }
