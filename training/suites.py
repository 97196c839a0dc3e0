"""The public evaluation suites (DESIGN.md s6): each reads its own official test data.

Evaluation-only sets (HateCheck, ETHOS, the complaints set) are never in the training table;
ETHOS (GPL) and the complaints set (no licence) are not copied into the repo: they are read from
TRIAGE_EXTERNAL_DATA (default ../shared/data/raw) and skipped with a message when absent.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from training import sources
from triage.evaluation import binary_metrics, macro_f1, span_scores
from triage.labels import LABELS, OFFENSIVE_LABELS
from triage.scoring.base import Scorer
from triage.types import ScoredText

RAW = Path("data/raw")


def external_root() -> Path:
    return Path(os.environ.get("TRIAGE_EXTERNAL_DATA", "../shared/data/raw"))


class SuiteUnavailable(RuntimeError):
    """The suite's data is not on this machine."""


@dataclass(frozen=True)
class Suite:
    name: str
    description: str
    run: Callable[[Scorer], dict]


def score_in_batches(scorer: Scorer, texts: list[str], batch: int = 64) -> list[ScoredText]:
    out: list[ScoredText] = []
    for start in range(0, len(texts), batch):
        out.extend(scorer.score(texts[start : start + batch]))
    return out


def _label(scored: list[ScoredText], label: str) -> np.ndarray:
    return np.array([s.scores[label] for s in scored])


def _offensive(scored: list[ScoredText], thresholds: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """OLID's OFF class: any of abuse/threat/hate/obscene flagged; its score is their max."""
    flagged = np.array([any(s.scores[label] >= thresholds[label] for label in OFFENSIVE_LABELS) for s in scored])
    score = np.array([max(s.scores[label] for label in OFFENSIVE_LABELS) for s in scored])
    return flagged, score


def olid_a(scorer: Scorer) -> dict:
    base = RAW / "olid"
    test = pd.read_csv(base / "testset-levela.tsv", sep="\t", quoting=csv.QUOTE_NONE, dtype=str)
    gold = pd.read_csv(base / "labels-levela.csv", header=None, names=["id", "label"], dtype=str)
    frame = test.merge(gold, on="id")
    scored = score_in_batches(scorer, frame["tweet"].tolist())
    y = (frame["label"] == "OFF").astype(int).to_numpy()
    flagged, score = _offensive(scored, scorer.thresholds)
    metrics = binary_metrics(y, score, 0.0) | {"f1": float(np.mean(flagged == y))}
    return {
        "macro_f1": macro_f1(y, flagged),
        "roc_auc": metrics["roc_auc"],
        "accuracy": float(np.mean(flagged == y)),
        "n": len(y),
    }


def tweeteval_hate(scorer: Scorer) -> dict:
    base = RAW / "tweeteval_hate"
    texts = (base / "test_text.txt").read_text(encoding="utf-8").splitlines()
    y = np.array([int(v) for v in (base / "test_labels.txt").read_text().split()])
    p = _label(score_in_batches(scorer, texts), "hate")
    m = binary_metrics(y, p, scorer.thresholds["hate"])
    return {
        "macro_f1": macro_f1(y, p >= scorer.thresholds["hate"]),
        "f1_hate": m["f1"],
        "roc_auc": m["roc_auc"],
        "n": len(y),
    }


def hatecheck(scorer: Scorer) -> dict:
    frame = pd.read_csv(RAW / "hatecheck" / "test_suite_cases.csv")
    p = _label(score_in_batches(scorer, frame["test_case"].str.strip().tolist()), "hate")
    correct = (p >= scorer.thresholds["hate"]) == (frame["label_gold"] == "hateful").to_numpy()
    per = frame.assign(correct=correct).groupby("functionality")["correct"].mean().round(3).to_dict()
    return {"accuracy": float(correct.mean()), "n": len(frame), "per_functionality": per}


def _spam_metrics(scorer: Scorer, texts: list[str], y: np.ndarray) -> dict:
    p = _label(score_in_batches(scorer, texts), "spam")
    m = binary_metrics(y, p, scorer.thresholds["spam"])
    return {"f1": m["f1"], "precision": m["precision"], "recall": m["recall"], "roc_auc": m["roc_auc"], "n": len(y)}


def youtube_heldout(scorer: Scorer) -> dict:
    frame = pd.read_csv(RAW / "youtube_spam_collection" / sources.YOUTUBE_TEST_VIDEO)
    return _spam_metrics(scorer, frame["CONTENT"].tolist(), frame["CLASS"].to_numpy())


def sms_test(scorer: Scorer) -> dict:
    rows = [r for r in sources.sms_spam(RAW) if r["split"] == "test"]
    return _spam_metrics(scorer, [r["text"] for r in rows], np.array([r["labels"]["spam"] for r in rows]))


def _pii(scorer: Scorer, rows: list[dict]) -> dict:
    scored = score_in_batches(scorer, [r["text"] for r in rows])
    gold = [[(s["start"], s["end"], s["type"]) for s in r["pii_spans"]] for r in rows]
    pred = [[(s.start, s.end, s.type) for s in x.pii_spans] for x in scored]
    y = np.array([r["labels"]["personal_info"] for r in rows])
    label = binary_metrics(y, _label(scored, "personal_info"), scorer.thresholds["personal_info"])
    per_type = {
        kind: round(
            span_scores(
                [[g for g in spans if g[2] == kind] for spans in gold],
                [[p for p in spans if p[2] == kind] for spans in pred],
            )["f1"],
            3,
        )
        for kind in sorted({g[2] for spans in gold for g in spans})
    }
    from_model = sum(span.source == "model" for x in scored for span in x.pii_spans)
    return {
        "span": span_scores(gold, pred),
        "span_untyped": span_scores(gold, pred, typed=False),
        "span_f1_per_type": per_type,
        "spans_from_model_head": from_model,
        "personal_info_f1": label["f1"],
        "n": len(rows),
    }


def pii_uk_synthetic(scorer: Scorer) -> dict:
    """A held-out synthetic UK set: a seed the training table never used."""
    return _pii(scorer, list(sources.synthetic_pii(600, seed=20261122)))


def pii_presidio(scorer: Scorer) -> dict:
    return _pii(scorer, [r for r in sources.presidio(RAW) if r["split"] == "test"])


def complaints(scorer: Scorer) -> dict:
    path = external_root() / "complaints_social_media" / "complaints-data.csv"
    if not path.exists():
        raise SuiteUnavailable(f"{path} absent (no licence: evaluation only, not copied into the repo)")
    frame = pd.read_csv(path, header=None, names=["id", "text", "complaint", "domain"])
    scored = score_in_batches(scorer, frame["text"].tolist())
    # Written to an organisation's account (question, request or complaint) = needs a response.
    y = (~frame["domain"].str.startswith("random")).astype(int).to_numpy()
    m = binary_metrics(y, _label(scored, "needs_response"), scorer.thresholds["needs_response"])
    complaint_recall = float(
        np.mean([s.intent == "complaint" for s, c in zip(scored, frame["complaint"], strict=False) if c == 1])
    )
    return {
        "needs_response_f1": m["f1"],
        "roc_auc": m["roc_auc"],
        "complaint_intent_recall": complaint_recall,
        "n": len(y),
    }


def ethos(scorer: Scorer) -> dict:
    path = external_root() / "ethos" / "Ethos_Dataset_Binary.csv"
    if not path.exists():
        raise SuiteUnavailable(f"{path} absent (GPL-3.0: evaluation only, not copied into the repo)")
    frame = pd.read_csv(path, sep=";")
    y = (frame["isHate"] >= 0.5).astype(int).to_numpy()
    p = _label(score_in_batches(scorer, frame["comment"].tolist()), "hate")
    return {
        "macro_f1": macro_f1(y, p >= scorer.thresholds["hate"]),
        "roc_auc": binary_metrics(y, p, 0.5)["roc_auc"],
        "n": len(y),
    }


def council_synthetic(scorer: Scorer) -> dict:
    """The synthetic council templates' test split, and the costliest error: civil criticism and
    ordinary comments flagged as harmful (002 s8.3: "we do not want to censor open debate")."""
    table = pd.read_parquet("data/build/table.parquet") if Path("data/build/table.parquet").exists() else None
    if table is None:
        raise SuiteUnavailable("data/build/table.parquet absent: run `triage data build`")
    test = table[(table["source"] == "synthetic_council") & (table["split"] == "test")]
    scored = score_in_batches(scorer, test["text"].tolist())
    harmless = (test[["abuse", "threat", "hate", "obscene", "spam", "political"]].sum(axis=1) == 0).to_numpy()
    harmful_flags = np.array([any(s.scores[label] >= scorer.thresholds[label] for label in LABELS[:6]) for s in scored])
    known = test["needs_response_known"].to_numpy()
    y = test["needs_response"].to_numpy()[known]
    m = binary_metrics(y, _label(scored, "needs_response")[known], scorer.thresholds["needs_response"])
    intents = test["intent"].to_numpy()
    has_intent = intents != ""
    intent_acc = float(np.mean([s.intent == i for s, i, h in zip(scored, intents, has_intent, strict=False) if h]))
    return {
        "false_flag_rate_harmless": float(harmful_flags[harmless].mean()),
        "needs_response_f1": m["f1"],
        "intent_accuracy": intent_acc,
        "n": len(test),
    }


SUITES: dict[str, Suite] = {
    s.name: s
    for s in (
        Suite("olid_a", "OLID level A test (offensive), macro-F1", olid_a),
        Suite("tweeteval_hate", "TweetEval hate test, macro-F1", tweeteval_hate),
        Suite("hatecheck", "HateCheck functional tests, accuracy", hatecheck),
        Suite("youtube_heldout", "YouTube spam, held-out video (Shakira), F1", youtube_heldout),
        Suite("sms_test", "SMS spam test split (33%), F1", sms_test),
        Suite("pii_uk_synthetic", "held-out synthetic UK personal information, span F1", pii_uk_synthetic),
        Suite("pii_presidio", "Presidio synthetic PII test split, span F1", pii_presidio),
        Suite("complaints", "complaints to organisations (needs_response), F1", complaints),
        Suite("ethos", "ETHOS binary hate, macro-F1", ethos),
        Suite(
            "council_synthetic",
            "synthetic council comments: false flags on harmless, needs_response",
            council_synthetic,
        ),
    )
}


def _council(name: str) -> Callable[[Scorer], dict]:
    """A council suite, imported when run (training.council_eval builds on this module)."""

    def run(scorer: Scorer) -> dict:
        from training import council_eval

        return getattr(council_eval, name)(scorer)  # type: ignore[no-any-return]

    return run


def _council_suites() -> dict[str, Suite]:
    return {
        "council_dev": Suite("council_dev", "written council comments, dev split, macro-F1", _council("council_dev")),
        "council_test": Suite(
            "council_test", "written council comments, test split, macro-F1", _council("council_test")
        ),
        "council_test_b": Suite(
            "council_test_b", "written council comments, second test split, macro-F1", _council("council_test_b")
        ),
        "council_welsh": Suite("council_welsh", "written Welsh council comments", _council("council_welsh")),
    }


SUITES |= _council_suites()
# `--suite council` runs the council suites.
SUITE_GROUPS = {"council": ["council_dev", "council_test", "council_test_b", "council_welsh"]}


def headline(name: str, result: dict) -> float | None:
    """The one figure per suite that the tables compare."""
    key = {
        "olid_a": "macro_f1",
        "tweeteval_hate": "macro_f1",
        "hatecheck": "accuracy",
        "youtube_heldout": "f1",
        "sms_test": "f1",
        "complaints": "needs_response_f1",
        "ethos": "macro_f1",
        "council_synthetic": "false_flag_rate_harmless",
        "council_dev": "macro_f1",
        "council_test": "macro_f1",
        "council_test_b": "macro_f1",
        "council_welsh": "macro_f1",
    }.get(name)
    if name.startswith("pii_"):
        return result["span"]["f1"]
    return result.get(key) if key else None


def dump(result: dict) -> str:
    return json.dumps(result, indent=2, default=float)
