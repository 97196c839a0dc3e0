"""`triage data check-sources`: does each public source's mapping of a label help the council?

For each source and each label it claims to know, a TF-IDF + logistic regression proxy is fitted
on the training table with and without that source's rows for that label, and both are measured
on the council dev split (PR-AUC, threshold-free). A mapping that makes the council dev split
worse is a candidate to mask (DESIGN.md s5: a label a source does not speak to is unknown).
The proxy is cheap and linear; the transformer is then trained on the table the check chose.
"""

from __future__ import annotations

import pandas as pd
from rich.progress import track
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score

from training.council import SOURCE
from triage.labels import LABELS, mask_column
from triage.text import normalise


def _fit_score(features, labels, known, dev_features, dev_labels) -> float:  # type: ignore[no-untyped-def]
    model = LogisticRegression(C=4.0, max_iter=1000, class_weight="balanced").fit(features[known], labels[known])
    return float(average_precision_score(dev_labels, model.predict_proba(dev_features)[:, 1]))


def check_sources(table: pd.DataFrame, log=print) -> pd.DataFrame:
    """Council dev PR-AUC per (source, label) with the source's mapping kept and masked."""
    train = table[table["split"] == "train"].reset_index(drop=True)
    dev = table[(table["split"] == "val") & (table["source"] == SOURCE)]
    if dev.empty:
        raise ValueError("no council dev rows in the table: run `triage data build` with the corpus")
    vectoriser = TfidfVectorizer(ngram_range=(1, 2), min_df=2, max_features=200_000, sublinear_tf=True)
    features = vectoriser.fit_transform(train["text"].map(normalise))
    dev_features = vectoriser.transform(dev["text"].map(normalise))
    pairs = [
        (source, label)
        for label in LABELS
        for source in sorted(train["source"].unique())
        if source != SOURCE and train.loc[train["source"] == source, mask_column(label)].any()
    ]
    rows = []
    for source, label in track(pairs, description="checking sources"):
        known = train[mask_column(label)].to_numpy()
        labels = train[label].to_numpy()
        without = known & (train["source"] != source).to_numpy()
        dev_labels = dev[label].to_numpy()
        kept = _fit_score(features, labels, known, dev_features, dev_labels)
        masked = _fit_score(features, labels, without, dev_features, dev_labels)
        rows.append(
            {
                "source": source,
                "label": label,
                "rows": int((known & ~without).sum()),
                "positives": int(labels[known & ~without].sum()),
                "dev_pr_auc_kept": round(kept, 4),
                "dev_pr_auc_masked": round(masked, 4),
                "gain_from_source": round(kept - masked, 4),
            }
        )
        log(f"{source} / {label}: kept {kept:.3f}, masked {masked:.3f}")
    return pd.DataFrame(rows)


def markdown(frame: pd.DataFrame) -> str:
    lines = [
        "| source | label | rows | positives | council dev PR-AUC kept | masked | gain from the source |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in frame.sort_values("gain_from_source").itertuples():
        lines.append(
            f"| {row.source} | {row.label} | {row.rows} | {row.positives} | {row.dev_pr_auc_kept:.3f} | "
            f"{row.dev_pr_auc_masked:.3f} | {row.gain_from_source:+.3f} |"
        )
    return "\n".join(lines) + "\n"
