"""`triage evaluate`: run the suites (or a labelled JSON-lines file) and write the reports."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
from rich.progress import Progress

from training.suites import SUITE_GROUPS, SUITES, SuiteUnavailable, headline, score_in_batches
from triage.data import read_jsonl
from triage.evaluation import binary_metrics, expected_calibration_error
from triage.labels import HARMFUL_LABELS, LABELS
from triage.scoring.base import Scorer

REPORTS = Path("reports")
HEADLINE_NAMES = {
    "olid_a": "macro-F1",
    "tweeteval_hate": "macro-F1",
    "hatecheck": "accuracy",
    "youtube_heldout": "spam F1",
    "sms_test": "spam F1",
    "pii_uk_synthetic": "span F1",
    "pii_presidio": "span F1",
    "complaints": "needs_response F1",
    "ethos": "macro-F1",
    "council_synthetic": "harmless flagged, lower is better",
    "council_dev": "macro-F1",
    "council_test": "macro-F1",
    "council_test_b": "macro-F1",
    "council_welsh": "macro-F1",
}


# Council suites carry tables of their own, written below the summary.
COUNCIL_DETAIL = ("per_label", "intent_confusion", "profiles", "near_duplicates")


def evaluate_suites(scorer: Scorer, names: list[str] | None = None, log=print) -> dict:
    results: dict[str, dict] = {}
    chosen = [name for group in (names or list(SUITES)) for name in SUITE_GROUPS.get(group, [group])]
    with Progress() as progress:
        task = progress.add_task("suites", total=len(chosen))
        for name in chosen:
            if name not in SUITES:
                raise ValueError(f"unknown suite {name!r}; choose from {', '.join(SUITES)}")
            progress.update(task, description=f"suite {name}")
            try:
                results[name] = SUITES[name].run(scorer)
            except SuiteUnavailable as reason:
                log(f"skipped {name}: {reason}")
                results[name] = {"skipped": str(reason)}
            progress.advance(task)
    return results


def evaluate_labelled(scorer: Scorer, path: Path) -> dict:
    """Per-label metrics on any JSON-lines file whose lines carry `text` and 0/1 label fields."""
    rows = list(read_jsonl(path))
    if not rows or any("text" not in r for r in rows):
        raise ValueError(f"{path}: every line needs a `text` field")
    return labelled_metrics(rows, score_in_batches(scorer, [r["text"] for r in rows]), scorer.thresholds)


def labelled_metrics(rows: list[dict], scored: list, thresholds: dict[str, float]) -> dict:  # type: ignore[type-arg]
    """Per label (where a row gives it), macro-F1 over labels with positives, and the share of rows
    with no label that get a harmful flag."""
    per_label, f1s = {}, []
    for label in LABELS:
        pairs = [(int(r[label]), s.scores[label]) for r, s in zip(rows, scored, strict=True) if label in r]
        if pairs:
            y, p = np.array(pairs).T
            per_label[label] = binary_metrics(y.astype(int), p, thresholds[label])
            if y.sum() > 0:  # a label with no positives here has no F1 to speak of
                f1s.append(per_label[label]["f1"])
    unlabelled = [s for r, s in zip(rows, scored, strict=True) if not any(r.get(label) for label in LABELS)]
    false_flags = [any(s.scores[label] >= thresholds[label] for label in HARMFUL_LABELS) for s in unlabelled]
    return {
        "per_label": per_label,
        "macro_f1": float(np.mean(f1s)) if f1s else float("nan"),
        "false_flag_rate_unlabelled": float(np.mean(false_flags)) if false_flags else float("nan"),
        "n": len(rows),
    }


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return "n/a" if math.isnan(value) else f"{value:.3f}"
    return str(value)


def _detail(key: str, value: object) -> str:
    if isinstance(value, dict) and {"precision", "recall", "f1"} <= set(value):
        return f"{key} P {value['precision']:.3f} R {value['recall']:.3f} F1 {value['f1']:.3f}"
    return f"{key} {_fmt(value)}"


def _suite_rows(results: dict) -> list[str]:
    lines = ["| suite | headline | details |", "|---|---|---|"]
    for name, result in results.items():
        if name == "labelled":
            continue
        if "skipped" in result:
            lines.append(f"| {name} | skipped | {result['skipped']} |")
            continue
        details = ", ".join(
            _detail(k, v)
            for k, v in result.items()
            if k not in ("per_functionality", "span_f1_per_type", *COUNCIL_DETAIL)
        )
        lines.append(f"| {name} | {_fmt(headline(name, result))} | {details} |")
    return lines


def _pii_section(results: dict) -> list[str]:
    pii = [name for name, result in results.items() if "span_f1_per_type" in result]
    if not pii:
        return []
    kinds = sorted({kind for name in pii for kind in results[name]["span_f1_per_type"]})
    lines = ["", "## PII span F1 per type", "", "| type | " + " | ".join(pii) + " |", "|---" * (len(pii) + 1) + "|"]
    for kind in kinds:
        cells = (_fmt(results[name]["span_f1_per_type"].get(kind, float("nan"))) for name in pii)
        lines.append(f"| {kind} | " + " | ".join(cells) + " |")
    return lines


def _labelled_section(results: dict) -> list[str]:
    if "labelled" not in results:
        return []
    lines = [
        "",
        "## Labelled input",
        "",
        "| label | n | P | R | F1 | ROC-AUC | PR-AUC | ECE |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for label, m in results["labelled"]["per_label"].items():
        cells = (_fmt(m[k]) for k in ("precision", "recall", "f1", "roc_auc", "pr_auc", "ece"))
        lines.append(f"| {label} | {m['n']} | " + " | ".join(cells) + " |")
    return lines


def markdown(model: str, results: dict) -> str:
    from training.council_eval import markdown as council_markdown

    lines = [f"# Evaluation of `{model}`", "", *_suite_rows(results)]
    for name in (n for n in results if n.startswith("council_") and "per_label" in results[n]):
        lines += council_markdown(name, results[name])
    if "hatecheck" in results and "per_functionality" in results["hatecheck"]:
        lines += ["", "## HateCheck per functionality", "", "| functionality | accuracy |", "|---|---|"]
        lines += [f"| {k} | {v:.3f} |" for k, v in results["hatecheck"]["per_functionality"].items()]
    lines += _pii_section(results) + _labelled_section(results)
    return "\n".join(lines) + "\n"


def write_report(model: str, results: dict) -> Path:
    folder = REPORTS / model
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "evaluation.json").write_text(json.dumps(results, indent=2, default=float) + "\n")
    (folder / "evaluation.md").write_text(markdown(model, results))
    return folder


def side_by_side(reports: Path = REPORTS) -> str:
    """docs/EVALUATION.md's table: every model's headline figure per suite, in one place."""
    models = {p.parent.name: json.loads(p.read_text()) for p in sorted(reports.glob("*/evaluation.json"))}
    suites = [s for s in SUITES if any(s in r for r in models.values())]
    lines = [
        "| suite (headline figure) | " + " | ".join(f"`{m}`" for m in models) + " |",
        "|---|" + "---|" * len(models),
    ]
    for suite in suites:
        cells = []
        for result in models.values():
            r = result.get(suite)
            cells.append("-" if r is None else "skipped" if "skipped" in r else _fmt(headline(suite, r)))
        lines.append(f"| {suite} ({HEADLINE_NAMES.get(suite, '')}) | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def calibration_plots(model: str, y: dict[str, np.ndarray], p: dict[str, np.ndarray]) -> list[Path]:
    """PR and reliability curves per label (validation split), saved beside the report."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import precision_recall_curve

    folder = REPORTS / model
    folder.mkdir(parents=True, exist_ok=True)
    fig, (ax_pr, ax_cal) = plt.subplots(1, 2, figsize=(12, 5))
    for label in y:
        if 0 < y[label].sum() < len(y[label]):
            precision, recall, _ = precision_recall_curve(y[label], p[label])
            ax_pr.plot(recall, precision, label=label)
            bins = np.clip((p[label] * 10).astype(int), 0, 9)
            xs = [p[label][bins == b].mean() for b in range(10) if (bins == b).any()]
            ys = [y[label][bins == b].mean() for b in range(10) if (bins == b).any()]
            ax_cal.plot(xs, ys, marker="o", label=f"{label} (ECE {expected_calibration_error(y[label], p[label]):.3f})")
    ax_pr.set(xlabel="recall", ylabel="precision", title=f"{model}: precision-recall (validation)")
    ax_cal.plot([0, 1], [0, 1], "k--", linewidth=0.8)
    ax_cal.set(xlabel="predicted probability", ylabel="observed frequency", title="reliability (validation)")
    ax_pr.legend(fontsize=8)
    ax_cal.legend(fontsize=7)
    fig.tight_layout()
    path = folder / "curves.png"
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return [path]


def validation_curves(
    scorer: Scorer, model: str, table_path: Path = Path("data/build/table.parquet"), rows: int = 3000
) -> Path | None:
    """PR and reliability curves on (a sample of) the validation split, where people would rather look."""
    import pandas as pd

    from triage.labels import mask_column

    if not table_path.exists():
        return None
    val = pd.read_parquet(table_path).query("split == 'val'")
    val = val.sample(min(rows, len(val)), random_state=0)
    scored = score_in_batches(scorer, val["text"].tolist())
    y, p = {}, {}
    for label in LABELS:
        known = val[mask_column(label)].to_numpy()
        if known.any():
            y[label] = val[label].to_numpy()[known]
            p[label] = np.array([s.scores[label] for s, k in zip(scored, known, strict=True) if k])
    return calibration_plots(model, y, p)[0]
