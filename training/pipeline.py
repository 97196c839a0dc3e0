"""`triage train`: fit (or resume), calibrate on validation, export the bundle, track in MLflow."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from safetensors.torch import load_file, save_file

from training.config import TrainConfig
from training.fit import build_model, fit
from triage.data import load_table


def run_dir(config: TrainConfig) -> Path:
    return Path("runs") / config.name


def fitted_model(config: TrainConfig, table: pd.DataFrame, log=print):
    """The fitted model: read from the run folder when a finished fit is there, else trained."""
    weights = run_dir(config) / "fitted.safetensors"
    if weights.exists():
        log(f"using the finished fit in {weights}")
        model = build_model(config.base_model)
        state = {k: v.float() if v.is_floating_point() else v for k, v in load_file(str(weights)).items()}
        # The PII head is trained after the fit (training/pii_head.py): a fit from before it lacks it.
        missing = model.load_state_dict(state, strict=False).missing_keys
        if any(not key.startswith("pii_head.") for key in missing):
            raise ValueError(f"{weights} lacks {sorted(missing)}: delete it to fit again")
        return model.eval()
    train = table[table["split"] == "train"].reset_index(drop=True)
    if config.max_train_rows:
        train = train.sample(min(len(train), config.max_train_rows), random_state=config.seed).reset_index(drop=True)
    model = fit(config, train, run_dir(config), log=log)
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(weights))
    return model


def predict_logits(model, texts: list[str], config: TrainConfig, batch: int = 128):
    """Raw label and intent logits from the torch model (no calibration)."""
    import numpy as np
    import torch

    from training.fit import encode, load_tokenizer

    tokenizer = load_tokenizer(config.base_model)
    labels, intents = [], []
    with torch.inference_mode():
        for start in range(0, len(texts), batch):
            ids, mask = encode(tokenizer, texts[start : start + batch], config.max_length)
            label_logits, intent_logits, _ = model(ids, mask)
            labels.append(label_logits.numpy())
            intents.append(intent_logits.numpy())
    return np.concatenate(labels), np.concatenate(intents)


def validation_metrics(probabilities, val: pd.DataFrame, thresholds: dict[str, float]) -> dict[str, float]:
    from triage.evaluation import binary_metrics
    from triage.labels import LABELS, mask_column

    metrics = {}
    for index, label in enumerate(LABELS):
        known = val[mask_column(label)].to_numpy()
        if known.sum() and 0 < val.loc[known, label].sum() < known.sum():
            m = binary_metrics(val.loc[known, label].to_numpy(), probabilities[known, index], thresholds[label])
            metrics |= {f"val_{label}_{k}": m[k] for k in ("f1", "roc_auc", "pr_auc", "ece")}
    return metrics


def onnx_validation_f1(
    onnx_file: Path,
    tokenizer_json: Path,
    config: TrainConfig,
    val: pd.DataFrame,
    calibration,
    thresholds: dict[str, float],
) -> dict[str, float]:
    """Validation F1 per label of an exported ONNX model under the bundle's calibration and
    thresholds: what the quantisation choice is judged on."""
    import numpy as np
    import onnxruntime as ort

    from triage.scoring.encoding import calibrated, encode, load_tokenizer

    tokenizer = load_tokenizer(tokenizer_json, config.max_length)
    session = ort.InferenceSession(str(onnx_file), providers=["CPUExecutionProvider"])
    texts = val["text"].tolist()
    logits = []
    for start in range(0, len(texts), 64):
        ids, mask = encode(tokenizer, texts[start : start + 64])
        logits.append(session.run(None, {"input_ids": ids, "attention_mask": mask})[0])
    metrics = validation_metrics(calibrated(np.concatenate(logits), calibration), val, thresholds)
    return {
        key.removeprefix("val_").removesuffix("_f1"): value for key, value in metrics.items() if key.endswith("_f1")
    }


def with_officer_decisions(table: pd.DataFrame, decisions: Path, weight: float) -> pd.DataFrame:
    """The public table plus officers' labelled comments, drawn `weight` times as often per row.
    The officers' time-split test rows stay out: they judge the new model (`triage compare`)."""
    from triage.data import TABLE_COLUMNS

    officers = pd.read_parquet(decisions)
    officers = officers[officers["split"] != "test"]
    merged = pd.concat(
        [table.assign(weight=1.0), officers[list(TABLE_COLUMNS)].assign(weight=weight)], ignore_index=True
    )
    return merged


def training_table(config: TrainConfig, decisions: Path | None, log=print) -> pd.DataFrame:
    table = load_table(Path(config.table))
    if decisions is None:
        return table
    table = with_officer_decisions(table, decisions, config.decisions_weight)
    officers = int((table["source"] == "officer_decisions").sum())
    log(f"training with {officers} officer-labelled rows, weight {config.decisions_weight}")
    return table


def calibration_rows(config: TrainConfig, table: pd.DataFrame) -> pd.DataFrame:
    """The validation rows calibration and thresholds are fitted on (the council dev split where
    the config says so)."""
    val = table[table["split"] == "val"].reset_index(drop=True)
    if config.calibration_source:
        val = val[val["source"] == config.calibration_source].reset_index(drop=True)
    if config.max_eval_rows:
        val = val.sample(min(len(val), config.max_eval_rows), random_state=config.seed).reset_index(drop=True)
    return val


def train(
    config: TrainConfig,
    output_root: Path = Path("models"),
    track: bool = True,
    log=print,
    decisions: Path | None = None,
) -> Path:
    """The whole `triage train`: fit, calibrate, export, stack the n-gram head where the config
    asks, track. Returns the bundle folder."""
    from training.calibration import fit_calibration, thresholds_under_cap
    from training.pii_head import fit_pii_head
    from triage.scoring.encoding import calibrated

    table = training_table(config, decisions, log)
    model = fitted_model(config, table, log=log)
    pii_sources, pii_metrics = fit_pii_head(model, table, config, log=log)
    val = calibration_rows(config, table)
    log(f"calibrating on {len(val)} validation rows")
    label_logits, _ = predict_logits(model, val["text"].tolist(), config)
    calibration, thresholds, ece = fit_calibration(label_logits, val)
    probabilities = calibrated(label_logits, calibration)
    metrics = validation_metrics(probabilities, val, thresholds) | pii_metrics
    manifest = bundle_manifest(config, table, calibration, thresholds, metrics, pii_sources)
    manifest.pii_span_floor = span_floor_on(val, probabilities, thresholds, log)
    if config.clean_flag_cap is not None and not config.ngram_head:  # with the head, stacking caps
        floor, cap = manifest.pii_span_floor, config.clean_flag_cap
        manifest.thresholds = thresholds_under_cap(val, probabilities, thresholds, floor, cap, log)
    bundle = export(model, config, output_root, manifest, val, log)
    log(f"bundle written to {bundle}; validation ECE per label: { {k: round(v, 3) for k, v in ece.items()} }")
    if config.ngram_head:
        from training.stack_bundle import stack_bundle

        source = config.calibration_source or "council_written"
        stack_bundle(bundle, table, config.source_weights, source, log, config.clean_flag_cap)
    if track:
        track_run(config, bundle, decisions, log)
    return bundle


def bundle_manifest(config: TrainConfig, table: pd.DataFrame, calibration, thresholds, metrics, pii_sources):  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    from triage.data import table_hash
    from triage.labels import LABELS
    from triage.scoring.bundle import Manifest

    data_hash = table_hash(table)
    return Manifest(
        kind="onnx-policy",
        name=config.name,
        model_version=f"{config.name}-{datetime.now(UTC):%Y%m%d%H%M}-{data_hash[:6]}",
        labels=list(LABELS),
        thresholds=thresholds,
        base_model=config.base_model,
        training_data_hash=data_hash,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        calibration=calibration,
        metrics={k: round(v, 4) for k, v in metrics.items() if v == v},
        max_length=config.max_length,
        pii_sources=pii_sources,
    )


def export(model, config: TrainConfig, output_root: Path, manifest, val: pd.DataFrame, log=print) -> Path:  # type: ignore[no-untyped-def]
    """The ONNX bundle (quantisation judged on validation F1) and the fp16 torch weights."""
    from training.export import write_bundle
    from training.fit import base_directory

    tokenizer_json = Path(base_directory(config.base_model)) / "tokenizer.json"
    calibration, thresholds = manifest.calibration, manifest.thresholds
    bundle = write_bundle(
        model,
        tokenizer_json,
        output_root / config.name,
        manifest,
        log=log,
        f1_of=lambda onnx_file: onnx_validation_f1(onnx_file, tokenizer_json, config, val, calibration, thresholds),
    )
    _save_weights(model, bundle)
    return bundle


def track_run(config: TrainConfig, bundle: Path, decisions: Path | None, log=print) -> None:
    """Log the run to MLflow and register the bundle (alias challenger)."""
    from training.tracking import log_run
    from triage.scoring.bundle import load_manifest

    manifest = load_manifest(bundle)
    params = config.__dict__ | {"data_hash": manifest.training_data_hash, "with_decisions": str(decisions or "")}
    identity = {"name": config.name, "model_version": manifest.model_version}
    run_id, registered = log_run(params, manifest.metrics, bundle, identity)
    _stamp_run_id(bundle, run_id)
    log(f"MLflow run {run_id}, registered as version {registered} (alias challenger)")


def span_floor_on(val: pd.DataFrame, probabilities, thresholds: dict[str, float], log=print) -> float:  # type: ignore[no-untyped-def]
    """The personal_info span floor chosen on the validation rows where personal_info is known."""
    from training.calibration import choose_span_floor
    from triage.labels import LABELS, mask_column
    from triage.policy.profile import published_contacts

    known = val[mask_column("personal_info")].to_numpy()
    column = LABELS.index("personal_info")
    texts, y = val.loc[known, "text"].tolist(), val.loc[known, "personal_info"].to_numpy()
    floor = choose_span_floor(
        texts, probabilities[known, column], y, thresholds["personal_info"], tuple(published_contacts())
    )
    log(f"personal_info: recognised details count where the model's score is at least {floor}")
    return floor


def _save_weights(model, bundle: Path) -> None:
    """fp16 weights for the torch scorer and further training (half the size of fp32)."""
    import json

    state = {k: (v.half() if v.is_floating_point() else v).contiguous() for k, v in model.state_dict().items()}
    save_file(state, str(bundle / "weights.fp16.safetensors"))
    manifest_path = bundle / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["files"]["weights"] = "weights.fp16.safetensors"
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")


def _stamp_run_id(bundle: Path, run_id: str) -> None:
    import json

    manifest_path = bundle / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["mlflow_run_id"] = run_id
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")


def fit_only(config_path: Path) -> None:
    """Stage one alone, for a long fit in the background: `triage train` then reuses it."""
    import torch

    torch.set_num_threads(2)
    config = TrainConfig.load(config_path)
    fitted_model(config, load_table(Path(config.table)), log=lambda m: print(m, flush=True))


if __name__ == "__main__":
    import sys

    fit_only(Path(sys.argv[1]))
