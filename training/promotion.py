"""`triage compare`, `promote` and `rollback`: the champion/challenger gate, and moving the
served bundle and the MLflow `champion` alias together (and back)."""

from __future__ import annotations

import json
import math
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from training.evaluate import evaluate_labelled, evaluate_suites
from training.suites import headline
from triage.labels import LABELS
from triage.scoring.base import Scorer
from triage.scoring.bundle import load_manifest

LOWER_IS_BETTER = {"council_synthetic"}
PUBLIC_TOLERANCE = 0.02
MAX_VALIDATION_ECE = 0.08


@dataclass(frozen=True)
class Comparison:
    rows: list[tuple[str, float | None, float | None]]
    verdict: bool
    reasons: list[str]


def officers_test(scorer: Scorer, decisions: Path) -> dict:
    frame = pd.read_parquet(decisions)
    test = frame[frame["split"] == "test"]
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as handle:
        for row in test.itertuples():
            record = {"text": row.text} | {
                label: int(getattr(row, label)) for label in LABELS if getattr(row, f"{label}_known")
            }
            handle.write(json.dumps(record) + "\n")
    return evaluate_labelled(scorer, Path(handle.name))


def compare(
    champion: Scorer,
    challenger: Scorer,
    decisions: Path | None,
    challenger_bundle: Path | None,
    suites: list[str] | None = None,
) -> Comparison:
    results = [evaluate_suites(champion, suites), evaluate_suites(challenger, suites)]
    rows, reasons, verdict = [], [], True
    for suite in results[0]:
        a = headline(suite, results[0][suite]) if "skipped" not in results[0][suite] else None
        b = headline(suite, results[1][suite]) if "skipped" not in results[1][suite] else None
        rows.append((suite, a, b))
        if a is None or b is None:
            continue
        worse = (b - a) if suite in LOWER_IS_BETTER else (a - b)
        if worse > PUBLIC_TOLERANCE:
            verdict = False
            reasons.append(f"{suite} worse by {worse:.3f} (tolerance {PUBLIC_TOLERANCE})")
    if decisions is not None:
        a, b = officers_test(champion, decisions)["macro_f1"], officers_test(challenger, decisions)["macro_f1"]
        rows.append(("officers' time-split test (macro-F1)", a, b))
        if not (b >= a):
            verdict = False
            reasons.append(f"not better on the officers' test set ({b:.3f} vs {a:.3f})")
    if challenger_bundle is not None:
        eces = [
            v for k, v in load_manifest(challenger_bundle).metrics.items() if k.endswith("_ece") and not math.isnan(v)
        ]
        if eces and max(eces) > MAX_VALIDATION_ECE:
            verdict = False
            reasons.append(f"validation calibration error {max(eces):.3f} above {MAX_VALIDATION_ECE}")
    return Comparison(rows, verdict, reasons or ["every gate passed"])


def table(comparison: Comparison, champion: str, challenger: str) -> str:
    lines = [f"| suite | champion `{champion}` | challenger `{challenger}` | difference |", "|---|---|---|---|"]
    for suite, a, b in comparison.rows:
        diff = "" if a is None or b is None else f"{b - a:+.3f}"
        lines.append(f"| {suite} | {'-' if a is None else f'{a:.3f}'} | {'-' if b is None else f'{b:.3f}'} | {diff} |")
    verdict = "PROMOTE" if comparison.verdict else "KEEP THE CHAMPION"
    gate = (
        f"Gate: no public suite worse by more than {PUBLIC_TOLERANCE}, better on the officers' test set, "
        f"validation ECE at most {MAX_VALIDATION_ECE}."
    )
    return "\n".join(lines) + f"\n\n**Verdict: {verdict}** ({'; '.join(comparison.reasons)}). {gate}\n"


def promote(bundle: Path, served: Path, log=print) -> None:
    """Serve `bundle`: the current one is kept for rollback, the MLflow alias follows."""
    previous = served.parent / ".previous" / served.name
    if served.exists():
        if previous.exists():
            shutil.rmtree(previous)
        previous.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(served, previous)
    if bundle.resolve() != served.resolve():
        staging = served.with_name(served.name + ".staging")
        shutil.rmtree(staging, ignore_errors=True)
        shutil.copytree(bundle, staging)
        shutil.rmtree(served, ignore_errors=True)
        staging.rename(served)
    _move_alias(load_manifest(served).mlflow_run_id, log)
    log(
        f"now serving {load_manifest(served).model_version} from {served}; ask a running service to reload (POST /v1/admin/reload-model)"
    )


def rollback(served: Path, log=print) -> None:
    previous = served.parent / ".previous" / served.name
    if not previous.exists():
        raise FileNotFoundError(f"no previous champion kept at {previous}: nothing to roll back to")
    promote(previous, served, log)


def _move_alias(run_id: str, log) -> None:
    if not run_id:
        log("the bundle names no MLflow run: the champion alias was not moved")
        return
    import mlflow
    from mlflow import MlflowClient

    from training.tracking import REGISTERED_MODEL, tracking_uri

    mlflow.set_tracking_uri(tracking_uri())
    client = MlflowClient()
    versions = [v for v in client.search_model_versions(f"name='{REGISTERED_MODEL}'") if v.run_id == run_id]
    if not versions:
        log(f"run {run_id} is not registered in this MLflow store: the champion alias was not moved")
        return
    client.set_registered_model_alias(REGISTERED_MODEL, "champion", versions[0].version)
    log(f"MLflow alias champion -> {REGISTERED_MODEL} version {versions[0].version}")
