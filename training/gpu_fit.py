"""Fit on a lent GPU machine and bring the weights back in fp16 shards under 16 MB each.

Run there as `python -m training.gpu_fit CONFIG BASE_DIR OUT_DIR`; back on the CPU,
`python -m training.gpu_fit merge OUT_DIR runs/NAME/fitted.safetensors` joins the shards where
`triage train` looks for a finished fit, and goes on to calibration, export and tracking.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import pandas as pd
from safetensors.torch import save_file

from training.config import TrainConfig
from training.fit import fit


def save_half_shards(state: dict, directory: Path, shard_bytes: int = 14_000_000) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    shard: dict = {}
    size, index = 0, 0
    for name, tensor in state.items():
        tensor = tensor.detach().half().contiguous() if tensor.is_floating_point() else tensor.contiguous()
        if size + tensor.numel() * tensor.element_size() > shard_bytes and shard:
            save_file(shard, str(directory / f"weights-{index:02d}.safetensors"))
            shard, size, index = {}, 0, index + 1
        shard[name] = tensor
        size += tensor.numel() * tensor.element_size()
    save_file(shard, str(directory / f"weights-{index:02d}.safetensors"))


def _fp32_copy(base_dir: Path) -> Path:
    """The base weights travel in fp16 (the tree that travels is capped): train from fp32."""
    import shutil

    from safetensors.torch import load_file

    target = Path(tempfile.mkdtemp(prefix="triage-base-fp32-"))
    shutil.copytree(base_dir, target, dirs_exist_ok=True)
    state = {k: v.float() for k, v in load_file(str(base_dir / "model.safetensors")).items()}
    save_file(state, str(target / "model.safetensors"))
    return target


def merge_shards(directory: Path, target: Path) -> None:
    """The shards as one weights file (fp16: the pipeline reads it back as fp32)."""
    from safetensors.torch import load_file

    state: dict = {}
    for path in sorted(directory.glob("weights-*.safetensors")):
        state |= load_file(str(path))
    target.parent.mkdir(parents=True, exist_ok=True)
    save_file(state, str(target))


def main() -> None:
    if sys.argv[1] == "merge":
        merge_shards(Path(sys.argv[2]), Path(sys.argv[3]))
        return
    config_path, base_dir, out_dir = (Path(a) for a in sys.argv[1:4])
    config = TrainConfig.load(config_path)
    config = TrainConfig(**{**config.__dict__, "base_model": str(_fp32_copy(base_dir))})
    table = pd.read_parquet(config.table)
    train = table[table["split"] == "train"].reset_index(drop=True)
    model = fit(config, train, Path(tempfile.mkdtemp(prefix="triage-fit-")), device="cuda")
    save_half_shards(model.state_dict(), out_dir)


if __name__ == "__main__":
    main()
