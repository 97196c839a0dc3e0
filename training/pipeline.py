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
        model.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in load_file(str(weights)).items()})
        return model.eval()
    train = table[table["split"] == "train"].reset_index(drop=True)
    if config.max_train_rows:
        train = train.sample(min(len(train), config.max_train_rows), random_state=config.seed).reset_index(drop=True)
    model = fit(config, train, run_dir(config), log=log)
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(weights))
    return model


if __name__ == "__main__":  # stage one alone, for a long fit in the background
    import sys

    import torch

    torch.set_num_threads(2)
    cfg = TrainConfig.load(Path(sys.argv[1]))
    fitted_model(cfg, load_table(Path(cfg.table)), log=lambda m: print(m, flush=True))
