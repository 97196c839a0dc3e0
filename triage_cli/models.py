"""Resolve a `--model` argument: a bundle folder, or the name of a baseline."""

from __future__ import annotations

from pathlib import Path

import typer

from triage.scoring.base import Scorer
from triage.scoring.registry import load_bundle

BASELINES = ("tfidf-lr", "profanity-check")


def resolve_model(spec: str) -> Scorer:
    if spec == "profanity-check":
        from training.baselines import ProfanityCheckScorer

        return ProfanityCheckScorer()
    if spec == "tfidf-lr":
        from training.baselines import TFIDF_DIR, train_tfidf

        if not TFIDF_DIR.exists():
            typer.echo("the tfidf-lr baseline is not built yet: training it on the training table")
            from triage.data import load_table

            train_tfidf(load_table(Path("data/build/table.parquet")))
        return load_bundle(TFIDF_DIR)
    path = Path(spec)
    if not path.exists():
        raise typer.BadParameter(f"{spec} is neither a model bundle folder nor a baseline ({', '.join(BASELINES)})")
    return load_bundle(path)


def model_name(spec: str) -> str:
    return spec if spec in BASELINES else Path(spec).name
