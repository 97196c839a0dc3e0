"""`triage decisions export`: officers' final labels as a versioned, time-split training set,
without author handles; conflicting decisions on the same text are reported, not hidden."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from triage.labels import LABELS, mask_column
from triage.review import standing_decisions
from triage.storage import reviews

EXPORT_VERSION = 1


def export(
    session: Session, since: datetime, output: Path, test_share: float = 0.2, val_share: float = 0.1
) -> dict[str, object]:
    standing = [(d, c) for d, c in standing_decisions(session, since=since) if c.text]
    ids = [comment.id for _, comment in standing]
    scores = reviews.latest_scores(session, comment_ids=ids)
    models = reviews.first_decisions(session, comment_ids=ids)
    records = [_record(d, c, scores.get(c.id), models.get(c.id)) for d, c in standing]
    frame = pd.DataFrame.from_records(records)
    conflicts: list[str] = []
    if not frame.empty:
        label_sets = frame.groupby("text_key")[list(LABELS)].nunique()
        conflicts = label_sets[(label_sets > 1).any(axis=1)].index.tolist()
        # The newest decision on a text stands; the conflict is reported for a person to look at.
        frame = frame.sort_values("decided_at").drop_duplicates("text_key", keep="last").reset_index(drop=True)
        frame["split"] = _time_split(frame["decided_at"], test_share, val_share)
    output.parent.mkdir(parents=True, exist_ok=True)
    frame.drop(columns=["text_key"], errors="ignore").to_parquet(output, index=False)
    digest = hashlib.sha256(output.read_bytes()).hexdigest()[:16]
    summary = {
        "version": EXPORT_VERSION,
        "rows": len(frame),
        "since": since.isoformat(),
        "sha256": digest,
        "conflicting_texts": len(conflicts),
        "splits": frame["split"].value_counts().to_dict() if len(frame) else {},
    }
    output.with_suffix(".summary.json").write_text(json.dumps(summary, indent=2, default=str))
    return summary


def _record(decision: Any, comment: Any, score: Any, model: Any) -> dict[str, Any]:
    """One training row: the comment's text, the officer's labels (known where given) and what
    the model said, without the author's handle."""
    record: dict[str, Any] = {
        "text": comment.text,
        "source": "officer_decisions",
        "synthetic": False,
        "council": comment.council,
        "text_key": comment.text_key,
        "officer_action": decision.action,
        "reason_code": decision.reason_code,
        "model_action": model.action if model else None,
        "model_version": model.model_version if model else None,
        "policy_version": model.policy_version if model else None,
        "model_scores": json.dumps(score.scores if score else None),
        "intent": score.intent if score else "",
        "received_at": comment.received_at,
        "decided_at": decision.created_at,
        "pii_spans": "[]",
    }
    for label in LABELS:
        known = label in decision.labels
        record[label] = int(decision.labels.get(label, 0)) if known else 0
        record[mask_column(label)] = known
    return record


def _time_split(decided_at: pd.Series, test_share: float, val_share: float) -> list[str]:
    """The newest decisions are the test set, the next newest validation: no peeking at the future."""
    order = decided_at.rank(method="first").to_numpy()
    n = len(order)
    test_from, val_from = n - round(n * test_share), n - round(n * (test_share + val_share))
    return ["test" if rank > test_from else "val" if rank > val_from else "train" for rank in order]
