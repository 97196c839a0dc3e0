"""Data tests: the built table's schema, label values, masks, splits and leakage."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from training import sources
from training.data_build import build, deduplicate
from triage.data import rows_to_frame, validate_table
from triage.labels import LABELS, mask_column
from triage.text import dedup_key

pytestmark = pytest.mark.data


@pytest.fixture(scope="session")
def table(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    output = tmp_path_factory.mktemp("table") / "table.parquet"
    build(Path("data/raw"), output, synthetic_pii_rows=800, synthetic_council_rows=800, synthetic_functional_rows=800)
    return pd.read_parquet(output)


def test_schema_and_values_are_sound(table: pd.DataFrame) -> None:
    assert validate_table(table) == []


def test_no_text_in_two_splits(table: pd.DataFrame) -> None:
    keys = table.assign(key=table["text"].map(dedup_key))
    assert keys.groupby("key")["split"].nunique().max() == 1


def test_official_test_splits_stay_test(table: pd.DataFrame) -> None:
    tweeteval_test = set((Path("data/raw/tweeteval_hate/test_text.txt")).read_text(encoding="utf-8").splitlines())
    training_texts = set(table.loc[table["split"] != "test", "text"])
    assert not tweeteval_test & training_texts
    youtube_test = set(pd.read_csv(Path("data/raw/youtube_spam_collection") / sources.YOUTUBE_TEST_VIDEO)["CONTENT"])
    assert not youtube_test & training_texts


def test_hatecheck_is_never_in_the_table(table: pd.DataFrame) -> None:
    hatecheck = set(pd.read_csv("data/raw/hatecheck/test_suite_cases.csv")["test_case"].str.strip().map(dedup_key))
    assert not hatecheck & set(table["text"].map(dedup_key))
    assert "hatecheck" not in set(table["source"])


def test_unknown_labels_are_masked_not_negative(table: pd.DataFrame) -> None:
    spam_rows = table[table["source"] == "youtube_spam"]
    assert spam_rows[mask_column("spam")].all()
    assert not spam_rows[mask_column("hate")].any()  # the spam set says nothing about hate


def test_every_label_has_positives_in_training(table: pd.DataFrame) -> None:
    train = table[table["split"] == "train"]
    for label in LABELS:
        assert train.loc[train[mask_column(label)], label].sum() > 0, label


def test_synthetic_rows_are_marked(table: pd.DataFrame) -> None:
    synthetic_sources = {"synthetic_pii_uk", "synthetic_council", "synthetic_functional", "presidio_synth"}
    assert table.loc[table["source"].isin(synthetic_sources), "synthetic"].all()
    assert not table.loc[~table["source"].isin(synthetic_sources), "synthetic"].any()


def test_duplicates_merge_and_test_wins() -> None:
    rows = [
        {"text": "Same text!", "source": "a", "split": "train", "labels": {"abuse": 1}, "synthetic": False},
        {"text": "same   text", "source": "b", "split": "test", "labels": {"hate": 0}, "synthetic": False},
        {"text": "same text", "source": "c", "split": "test", "labels": {"abuse": 0}, "synthetic": False},
    ]
    frame, stats = deduplicate(rows_to_frame(rows))
    assert len(frame) == 1 and frame.iloc[0]["split"] == "test"
    assert stats["dropped_cross_split"] == 1
    assert frame.iloc[0][mask_column("hate")] and frame.iloc[0][mask_column("abuse")]


def test_validation_catches_a_positive_without_mask() -> None:
    frame = rows_to_frame([{"text": "x", "source": "a", "split": "train", "labels": {"abuse": 1}, "synthetic": False}])
    frame.loc[0, mask_column("abuse")] = False
    assert any("unknown" in problem for problem in validate_table(frame))


def test_jigsaw_loader_maps_real_rows() -> None:
    rows = list(sources.jigsaw_sample(Path("data/raw")))
    assert len(rows) == 101
    assert sum(r["labels"]["obscene"] for r in rows) == 10


def test_table_loads_with_datasets(tmp_path: Path, table: pd.DataFrame, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    import datasets

    path = tmp_path / "t.parquet"
    table.head(50).to_parquet(path, index=False)
    loaded = datasets.load_dataset("parquet", data_files=str(path), split="train", cache_dir=str(tmp_path / "cache"))
    assert loaded.num_rows == 50 and "abuse_known" in loaded.column_names
