"""Entry point: `triage --help` lists the commands."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from triage_cli import connections, demo, loadtest, policy, service, users, webhook_load
from triage_cli.models import model_name, resolve_model

app = typer.Typer(help="Pre-screen public comments on UK councils' social media pages.", no_args_is_help=True)
data_app = typer.Typer(help="Build and check the training table.", no_args_is_help=True)
app.add_typer(data_app, name="data")
app.add_typer(policy.app, name="policy")
app.command("decide")(policy.decide_command)
app.add_typer(service.apikey_app, name="apikey")
app.add_typer(users.user_app, name="user")
app.command("serve")(service.serve)
app.command("sar")(service.sar)
app.command("purge")(service.purge)
app.command("loadtest")(loadtest.loadtest)
app.command("loadtest-webhooks")(webhook_load.loadtest_webhooks)
app.add_typer(demo.app, name="demo")
app.add_typer(connections.app, name="connection")
app.add_typer(connections.outbox_app, name="outbox")
app.command("worker")(connections.worker)


@data_app.command("build")
def data_build(
    raw: Annotated[Path, typer.Option(help="folder of staged datasets")] = Path("data/raw"),
    output: Annotated[Path, typer.Option(help="parquet table to write")] = Path("data/build/table.parquet"),
    seed: int = 13,
    docs: Annotated[Path | None, typer.Option(help="page to write the table's sizes to")] = Path("docs/DATA.md"),
    council: Annotated[Path, typer.Option(help="the written council corpus")] = Path("data/council"),
) -> None:
    """Build the multi-source training table with label masks, deduplicated and leak-free."""
    from training.data_build import build, summary_markdown
    from training.reporting import replace_generated

    summary = build(raw, output, seed=seed, council_root=council)
    if docs:
        replace_generated(docs, summary_markdown(summary), "Training table")
    typer.echo(f"{summary['rows']} rows, hash {summary['hash']}, {summary['seconds']}s -> {output}")
    typer.echo(f"per source and split: {output.with_suffix('.summary.json')}")


@data_app.command("council")
def data_council(root: Annotated[Path, typer.Option(help="the written council corpus")] = Path("data/council")) -> None:
    """Check the written council corpus' splits and refresh the figures in its README."""
    from training.council import readme_figures
    from training.reporting import replace_generated

    figures = readme_figures(root)
    replace_generated(root / "README.md", figures, "The written council corpus")
    typer.echo(figures)


@data_app.command("check-sources")
def data_check_sources(
    table: Annotated[Path, typer.Option(help="the built training table")] = Path("data/build/table.parquet"),
    docs: Annotated[Path, typer.Option(help="page to write the check to")] = Path("docs/SOURCES_CHECK.md"),
) -> None:
    """Measure on the council dev split whether each public source's label mapping helps."""
    from training.reporting import replace_generated
    from training.source_check import check_sources, markdown
    from triage.data import load_table

    result = markdown(check_sources(load_table(table)))
    replace_generated(docs, result, "Do the public sources help on council comments?")
    typer.echo(result)


@app.command()
def score(
    model: Annotated[str, typer.Option(help="bundle folder, or tfidf-lr / profanity-check")],
    input: Annotated[Path, typer.Option(help="JSON lines with a `text` field")],
    output: Annotated[Path, typer.Option(help="JSON lines written back with scores")],
    batch_size: int = 64,
) -> None:
    """Score a JSON-lines file; other fields are carried through."""
    from triage.data import read_jsonl
    from triage.scoring.base import flagged

    scorer = resolve_model(model)
    rows = list(read_jsonl(input))
    for number, row in enumerate(rows, start=1):
        if not isinstance(row.get("text"), str):
            raise typer.BadParameter(f"{input}:{number}: each line needs a string `text` field")
    with output.open("w", encoding="utf-8") as handle, typer.progressbar(length=len(rows), label="scoring") as bar:
        for start in range(0, len(rows), batch_size):
            chunk = rows[start : start + batch_size]
            for row, scored in zip(chunk, scorer.score([r["text"] for r in chunk]), strict=True):
                row |= {
                    "scores": scored.scores,
                    "flags": flagged(scored.scores, scorer.thresholds),
                    "pii_spans": [s.as_dict() for s in scored.pii_spans],
                    "intent": scored.intent,
                }
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            bar.update(len(chunk))


@app.command()
def evaluate(
    model: Annotated[str, typer.Option(help="bundle folder, or tfidf-lr / profanity-check")],
    suite: Annotated[list[str] | None, typer.Option(help="suites to run (default: all)")] = None,
    input: Annotated[Path | None, typer.Option(help="labelled JSON lines to evaluate instead")] = None,
    docs: Annotated[Path, typer.Option(help="side-by-side table to refresh")] = Path("docs/EVALUATION.md"),
) -> None:
    """Measure a model on the public suites (or a labelled file) and write reports/<model>/."""
    from training.evaluate import evaluate_labelled, evaluate_suites, side_by_side, validation_curves, write_report
    from training.reporting import refresh_evaluation_doc

    scorer = resolve_model(model)
    name = model_name(model)
    results = {"labelled": evaluate_labelled(scorer, input)} if input else evaluate_suites(scorer, suite)
    folder = write_report(name if not input else f"{name}-{input.stem}", results)
    typer.echo((folder / "evaluation.md").read_text())
    if not input:
        curves = validation_curves(scorer, name)
        if curves:
            typer.echo(f"precision-recall and reliability curves (validation split): {curves}")
        refresh_evaluation_doc(docs, side_by_side())
        typer.echo(f"report in {folder}/, side-by-side table in {docs}")


@app.command("baseline")
def baseline(name: Annotated[str, typer.Argument(help="tfidf-lr")] = "tfidf-lr") -> None:
    """(Re)train the TF-IDF + logistic regression baseline on the training table."""
    from training.baselines import train_tfidf
    from triage.data import load_table

    if name != "tfidf-lr":
        raise typer.BadParameter("only tfidf-lr is trained; profanity-check ships its own model")
    train_tfidf(load_table(Path("data/build/table.parquet")))


@app.command()
def train(
    config: Annotated[Path, typer.Option(help="training/configs/NAME.toml")],
    output: Annotated[Path, typer.Option(help="folder the bundle is written under")] = Path("models"),
    track: Annotated[bool, typer.Option(help="log to MLflow and register the model")] = True,
    with_decisions: Annotated[
        Path | None, typer.Option(help="officers' decisions from `triage decisions export`")
    ] = None,
) -> None:
    """Fine-tune (resuming a stopped run), calibrate on validation, export the bundle, track in MLflow."""
    from dataclasses import replace

    from training.config import TrainConfig
    from training.pipeline import train as run_training

    settings = TrainConfig.load(config)
    if with_decisions is not None:
        settings = replace(settings, name=f"{settings.name}-officers")  # its own run folder and bundle
    bundle = run_training(settings, output, track=track, decisions=with_decisions)
    typer.echo(f"bundle: {bundle}")


@app.command()
def stack(
    config: Annotated[Path, typer.Option(help="the bundle's training config (source weights, calibration source)")],
    model: Annotated[Path, typer.Option(help="trained bundle to stack the n-gram head into")] = Path(
        "models/minilm-policy"
    ),
) -> None:
    """Fit the n-gram head on the training table and stack it into a trained bundle, each label's
    inputs, calibration and thresholds chosen on council dev (`triage train` does it too)."""
    from training.config import TrainConfig
    from training.stack_bundle import stack_bundle
    from triage.data import load_table

    settings = TrainConfig.load(config)
    table = load_table(Path(settings.table))
    source = settings.calibration_source or "council_written"
    chosen = stack_bundle(model, table, settings.source_weights, source, typer.echo, settings.clean_flag_cap)
    typer.echo(f"{model}: inputs per label {chosen}")


@app.command()
def bench(
    model: Annotated[Path, typer.Option(help="bundle to time")] = Path("models/minilm-policy"),
    seconds: Annotated[float, typer.Option(help="seconds of batched scoring per model")] = 10.0,
    docs: Annotated[Path, typer.Option(help="page to refresh")] = Path("docs/BENCHMARKS.md"),
    previous: Annotated[Path | None, typer.Option(help="compare batched throughput with this bundle only")] = None,
) -> None:
    """Time the bundle, the same model in torch fp32 and a BERT-base sized model, in one run."""
    from training.bench import against_previous, markdown, run
    from training.reporting import replace_generated

    if previous is not None:
        result = against_previous(model, previous, log=typer.echo)
        typer.echo(
            f"new {result['new_per_s']:.1f}/s, previous {result['previous_per_s']:.1f}/s, ratio {result['ratio']:.3f}"
        )
        return

    table = markdown(run(model, seconds=seconds, log=typer.echo))
    typer.echo(table)
    replace_generated(docs, table, "Benchmarks")


decisions_app = typer.Typer(help="Officers' logged decisions as training data.", no_args_is_help=True)
app.add_typer(decisions_app, name="decisions")


@decisions_app.command("export")
def decisions_export(
    output: Annotated[Path, typer.Option(help="parquet file to write")],
    since: Annotated[str, typer.Option(help="ISO date: decisions made on or after it")] = "1970-01-01",
) -> None:
    """Export officer-labelled comments (no handles), deduplicated, split by time (newest = test)."""
    from datetime import UTC, datetime

    from training.decisions import export
    from triage_cli.service import open_sessions

    start = datetime.fromisoformat(since)
    start = start if start.tzinfo else start.replace(tzinfo=UTC)
    with open_sessions()() as session:
        summary = export(session, start, output)
    typer.echo(json.dumps(summary, indent=2, default=str))
    if summary["conflicting_texts"]:
        typer.echo(
            f"warning: {summary['conflicting_texts']} texts were labelled differently by officers; the newest decision was kept"
        )


@app.command()
def compare(
    champion: Annotated[str, typer.Option(help="bundle in service (or a baseline name)")],
    challenger: Annotated[str, typer.Option(help="candidate bundle")],
    decisions: Annotated[
        Path | None, typer.Option(help="officers' export: its time-split test rows are compared too")
    ] = None,
) -> None:
    """Evaluate champion and challenger on every suite in one run, side by side, with a verdict."""
    from training.promotion import compare as run_compare
    from training.promotion import table

    result = run_compare(
        resolve_model(champion),
        resolve_model(challenger),
        decisions,
        Path(challenger) if Path(challenger).is_dir() else None,
    )
    text = table(result, model_name(champion), model_name(challenger))
    typer.echo(text)
    out = Path("reports") / f"compare-{model_name(champion)}-vs-{model_name(challenger)}.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(text)


@app.command()
def promote(bundle: Annotated[Path, typer.Argument(help="bundle folder to serve")]) -> None:
    """Serve BUNDLE (copied to TRIAGE_MODEL_PATH), keep the old one for rollback, move the MLflow champion alias."""
    from training.promotion import promote as run_promote
    from triage.config import get_settings

    run_promote(bundle, get_settings().model_path, log=typer.echo)


@app.command()
def rollback() -> None:
    """Serve the previous champion again."""
    from training.promotion import rollback as run_rollback
    from triage.config import get_settings

    run_rollback(get_settings().model_path, log=typer.echo)


@app.command("simulate-active-learning")
def simulate_active_learning(
    label: str = "abuse",
    source: str = "olid",
    docs: Annotated[Path, typer.Option(help="page to refresh")] = Path("docs/ACTIVE_LEARNING.md"),
) -> None:
    """How much faster the model improves when officers review the least certain items first."""
    from training.active_learning import markdown, simulate
    from training.reporting import replace_generated
    from triage.data import load_table

    text = markdown(simulate(load_table(Path("data/build/table.parquet")), label, source), label, source)
    typer.echo(text)
    replace_generated(docs, text, "Active learning")


if __name__ == "__main__":
    app()
