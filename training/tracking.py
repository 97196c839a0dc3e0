"""MLflow tracking: one experiment, one registered model name; an embedded SQLite store by default."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

REGISTERED_MODEL = "triage-policy"
EXPERIMENT = "triage"


def tracking_uri() -> str:
    return os.environ.get("MLFLOW_TRACKING_URI", "sqlite:///mlflow.db")


def log_run(
    params: dict, metrics: dict[str, float], bundle: Path, tags: dict[str, str], alias: str = "challenger"
) -> tuple[str, str]:
    """Log a training run with its bundle, register it and point `alias` at it; returns (run id, version)."""
    import math

    import mlflow
    from mlflow import MlflowClient

    mlflow.set_tracking_uri(tracking_uri())
    mlflow.set_experiment(EXPERIMENT)
    with mlflow.start_run(run_name=tags.get("name")) as run:
        mlflow.log_params({k: str(v)[:500] for k, v in params.items()})
        mlflow.log_metrics({k: float(v) for k, v in metrics.items() if v is not None and not math.isnan(float(v))})
        mlflow.set_tags(tags)
        mlflow.log_artifacts(str(bundle), artifact_path="bundle")
        run_id = run.info.run_id
        artifact_uri = mlflow.get_artifact_uri("bundle")
    client = MlflowClient()
    with contextlib.suppress(mlflow.exceptions.MlflowException):  # already registered
        client.create_registered_model(REGISTERED_MODEL)
    version = client.create_model_version(REGISTERED_MODEL, source=artifact_uri, run_id=run_id)
    client.set_registered_model_alias(REGISTERED_MODEL, alias, version.version)
    return run_id, str(version.version)
