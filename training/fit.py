"""Fine-tuning loop: masked multi-label loss, intent loss, source-balanced sampling, checkpoints.

Needs only torch, transformers, numpy and pandas, so it also runs on a lent GPU machine.
"""

from __future__ import annotations

import json
import math
import random
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from tokenizers import Tokenizer
from torch.nn import functional as F

from training.config import TrainConfig
from triage.labels import INTENTS, LABELS, MASK_COLUMNS
from triage.scoring import encoding
from triage.scoring.torch_model import DEFAULT_BASE_MODEL, PolicyModel, resolve_base_model

TINY = "tiny-random"


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def base_directory(base_model: str) -> str:
    """Where the base model's files are; the tiny random model borrows the default's tokenizer."""
    return resolve_base_model(DEFAULT_BASE_MODEL if base_model == TINY else base_model)


def load_tokenizer(base_model: str) -> Tokenizer:
    directory = base_directory(base_model)
    path = Path(directory) / "tokenizer.json"
    if path.exists():
        return Tokenizer.from_file(str(path))
    from transformers import AutoTokenizer  # a hub name: let transformers fetch and convert it

    return AutoTokenizer.from_pretrained(directory).backend_tokenizer


def build_model(base_model: str) -> PolicyModel:
    if base_model == TINY:
        from transformers import BertConfig, BertModel

        config = BertConfig(hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64)
        return PolicyModel(BertModel(config), config.hidden_size)
    return PolicyModel.from_base(base_model)


def load_weights(model: PolicyModel, path: Path, log=print) -> None:
    """Fine-tuned weights into `model` (stored in fp16 or fp32); the PII head may be absent."""
    from safetensors.torch import load_file

    state = {k: v.float() if v.is_floating_point() else v for k, v in load_file(str(path)).items()}
    missing = model.load_state_dict(state, strict=False).missing_keys
    if any(not key.startswith("pii_head.") for key in missing):
        raise ValueError(f"{path} lacks {sorted(missing)}: not weights of this model")
    log(f"starting from the weights in {path}")


def encode(tokenizer: Tokenizer, texts: list[str], max_length: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Token ids and mask as tensors, by the serving path's own encoder (no train/serve skew)."""
    ids, mask = encoding.encode(encoding.prepare(tokenizer, max_length), texts)
    return torch.from_numpy(ids), torch.from_numpy(mask)


def sampling_weights(frame: pd.DataFrame, config: TrainConfig) -> np.ndarray:
    """Per-row draw weights: source sizes flattened by alpha, times any per-source weight."""
    sizes = frame["source"].map(frame["source"].value_counts())
    weights = sizes.pow(config.source_alpha) / sizes
    weights *= frame["source"].map(lambda s: config.source_weights.get(s, 1.0))
    if "weight" in frame:
        weights *= frame["weight"]
    return (weights / weights.sum()).to_numpy()


def masked_loss(logits: torch.Tensor, targets: torch.Tensor, known: torch.Tensor) -> torch.Tensor:
    """Binary cross-entropy over the known labels only: unknown is not negative."""
    losses = F.binary_cross_entropy_with_logits(logits, targets, reduction="none") * known
    return losses.sum() / known.sum().clamp(min=1.0)


def _batch_targets(batch: pd.DataFrame, device: torch.device) -> tuple[torch.Tensor, ...]:
    targets = torch.tensor(batch[list(LABELS)].to_numpy(dtype=np.float32), device=device)
    known = torch.tensor(batch[list(MASK_COLUMNS)].to_numpy(dtype=np.float32), device=device)
    intent_index = {intent: i for i, intent in enumerate(INTENTS)}
    intents = torch.tensor([intent_index.get(i, -100) for i in batch["intent"]], device=device)
    return targets, known, intents


def _bucket_by_length(order: np.ndarray, lengths: np.ndarray, batch_size: int, rng: np.random.Generator) -> np.ndarray:
    """Sort draws by length within chunks of 50 batches: far less padding, same rows per chunk."""
    chunk = batch_size * 50
    pieces = []
    for start in range(0, len(order), chunk):
        part = order[start : start + chunk]
        part = part[np.argsort(lengths[part], kind="stable")]
        batches = [part[i : i + batch_size] for i in range(0, len(part), batch_size)]
        pieces.extend(batches[i] for i in rng.permutation(len(batches)))
    return np.concatenate(pieces)


def _checkpoint(path: Path, model: PolicyModel, optimizer: torch.optim.Optimizer, scheduler: object, step: int) -> None:
    tmp = path.with_suffix(".tmp")
    torch.save(
        {
            "model": model.state_dict(),
            "optimizer": optimizer.state_dict(),
            "rng": torch.get_rng_state(),
            "scheduler": scheduler.state_dict(),
            "step": step,
        },
        tmp,
    )  # type: ignore[attr-defined]
    tmp.replace(path)  # atomic: a run killed mid-save keeps the previous checkpoint


def _schedule(config: TrainConfig, model: PolicyModel, total_steps: int):  # type: ignore[no-untyped-def]
    """AdamW with linear warm-up and linear decay to zero at the last step."""
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay)
    warmup = max(1, int(total_steps * config.warmup_ratio))
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warmup, max(0.0, (total_steps - s) / max(1, total_steps - warmup)))
    )
    return optimizer, scheduler


def _resume(path: Path, model: PolicyModel, optimizer, scheduler, dev: torch.device, log=print) -> int:  # type: ignore[no-untyped-def]
    """The step a stopped run reached (0 for a new run), with its model, optimiser and RNG restored."""
    if not path.exists():
        return 0
    state = torch.load(path, map_location=dev)
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    scheduler.load_state_dict(state["scheduler"])
    if "rng" in state:
        torch.set_rng_state(state["rng"])  # dropout continues as if never stopped
    log(f"resumed from step {state['step']}")
    return int(state["step"])


def _draw_order(config: TrainConfig, train: pd.DataFrame, total_steps: int) -> np.ndarray:
    """Every row drawn, in order: fixed by the seed, so a resumed run continues the same sequence."""
    rng = np.random.default_rng(config.seed)
    order = rng.choice(len(train), size=total_steps * config.batch_size, p=sampling_weights(train, config))
    return _bucket_by_length(order, train["text"].str.len().to_numpy(), config.batch_size, rng)


def _loss(model: PolicyModel, batch: pd.DataFrame, tokenizer, config: TrainConfig, dev: torch.device) -> torch.Tensor:  # type: ignore[no-untyped-def]
    ids, mask = encode(tokenizer, batch["text"].tolist(), config.max_length)
    targets, known, intents = _batch_targets(batch, dev)
    autocast = (
        torch.autocast("cuda", dtype=torch.bfloat16) if dev.type == "cuda" else torch.autocast("cpu", enabled=False)
    )
    with autocast:
        # The PII head is trained afterwards on the frozen backbone (training/pii_head.py).
        label_logits, intent_logits, _ = model(ids.to(dev), mask.to(dev))
    loss = masked_loss(label_logits.float(), targets, known)
    if (intents >= 0).any():
        loss = loss + config.intent_loss_weight * F.cross_entropy(intent_logits.float(), intents, ignore_index=-100)
    return loss


def fit(
    config: TrainConfig,
    train: pd.DataFrame,
    output: Path,
    device: str | None = None,
    log=print,
    stop_after: int | None = None,
) -> PolicyModel:
    """Train and return the model; checkpoints every few hundred steps in `output` and resumes.
    `stop_after` ends the run early at a checkpoint, as a killed run would (for tests)."""
    seed_everything(config.seed)
    dev = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
    tokenizer, model = load_tokenizer(config.base_model), build_model(config.base_model)
    if config.init_weights:
        load_weights(model, Path(config.init_weights), log)
    model = model.to(dev)
    total_steps = math.ceil((config.train_samples or len(train) * config.epochs) / config.batch_size)
    optimizer, scheduler = _schedule(config, model, total_steps)
    output.mkdir(parents=True, exist_ok=True)
    checkpoint_path = output / "checkpoint.pt"
    step = _resume(checkpoint_path, model, optimizer, scheduler, dev, log)
    order, started = _draw_order(config, train, total_steps), time.perf_counter()
    model.train()
    while step < total_steps:
        batch = train.iloc[order[step * config.batch_size : (step + 1) * config.batch_size]]
        loss = _loss(model, batch, tokenizer, config, dev)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        step += 1
        if step % 100 == 0 or step == total_steps:
            rate = round(step / (time.perf_counter() - started), 2)
            log(json.dumps({"step": step, "of": total_steps, "loss": round(loss.item(), 4), "steps_per_s": rate}))
        if step % config.checkpoint_every == 0 or step == stop_after:
            _checkpoint(checkpoint_path, model, optimizer, scheduler, step)
        if step == stop_after:
            break
    model.eval()
    return model.cpu()
