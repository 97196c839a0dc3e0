"""The training table's schema and loaders, shared by training, evaluation, tests and notebooks."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from triage.labels import INTENTS, LABELS, MASK_COLUMNS, mask_column

SPLITS = ("train", "val", "test")
TABLE_COLUMNS = ("text", "source", "split", "synthetic", *LABELS, *MASK_COLUMNS, "intent", "pii_spans")


def rows_to_frame(rows: Iterable[dict[str, Any]]) -> pd.DataFrame:
    """Turn reader rows (labels as a dict of the known ones) into the table's flat columns."""
    records = []
    for row in rows:
        record = {k: row[k] for k in ("text", "source", "split", "synthetic")}
        for label in LABELS:
            known = label in row["labels"]
            record[label] = int(row["labels"][label]) if known else 0
            record[mask_column(label)] = known
        record["intent"] = row.get("intent") or ""
        record["pii_spans"] = json.dumps(row.get("pii_spans") or [])
        records.append(record)
    return pd.DataFrame.from_records(records, columns=list(TABLE_COLUMNS))


def validate_table(frame: pd.DataFrame) -> list[str]:
    """Problems with a table: schema, label values, masks, intents, leakage. Empty when sound."""
    problems = []
    missing = set(TABLE_COLUMNS) - set(frame.columns)
    if missing:
        return [f"missing columns: {sorted(missing)}"]
    if not frame["split"].isin(SPLITS).all():
        problems.append("split holds values other than train/val/test")
    for label in LABELS:
        if not frame[label].isin([0, 1]).all():
            problems.append(f"{label} holds values other than 0/1")
        if (frame[label].astype(bool) & ~frame[mask_column(label)]).any():
            problems.append(f"{label} is positive on rows where it is unknown")
    bad_intents = set(frame["intent"]) - set(INTENTS) - {""}
    if bad_intents:
        problems.append(f"unknown intents: {sorted(bad_intents)}")
    if frame["text"].str.strip().eq("").any():
        problems.append("empty texts")
    return problems


def table_hash(frame: pd.DataFrame) -> str:
    """A content hash of the table, recorded in model manifests and MLflow runs."""
    digest = hashlib.sha256()
    for values in frame[list(TABLE_COLUMNS)].itertuples(index=False):
        digest.update(repr(tuple(values)).encode())
    return digest.hexdigest()[:16]


def load_table(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise FileNotFoundError(f"{path} not found: run `triage data build` first")
    return pd.read_parquet(path)


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as error:
                    raise ValueError(f"{path}:{number}: not valid JSON ({error.msg})") from error
