"""`triage bench`: speed of the shipped model against torch fp32 and a BERT-base sized model, all
in one run and printed as ratios (the machine is shared and noisy), plus the arithmetic limit."""

from __future__ import annotations

import csv
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from triage.scoring.bundle import load_manifest
from triage.scoring.onnx_backend import OnnxScorer
from triage.scoring.torch_backend import TorchScorer


@dataclass
class Timing:
    name: str
    batched_per_s: float
    p50_ms: float
    p95_ms: float
    p99_ms: float


def sample_texts(n: int = 256) -> list[str]:
    with open("data/raw/olid/testset-levela.tsv", encoding="utf-8") as handle:
        rows = list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))[1:]
    return [row[1] for row in rows[:n]]


def time_scorer(
    name: str, score: Callable[[Sequence[str]], object], texts: list[str], batch: int, singles: int, seconds: float
) -> Timing:
    score(texts[:batch])  # warm up
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        chunk = [texts[(done + i) % len(texts)] for i in range(batch)]
        score(chunk)
        done += batch
    rate = done / (time.perf_counter() - started)
    latencies = []
    for i in range(singles):
        t0 = time.perf_counter()
        score([texts[i % len(texts)]])
        latencies.append((time.perf_counter() - t0) * 1000)
    q = np.percentile(latencies, [50, 95, 99]) if latencies else [float("nan")] * 3
    return Timing(name, rate, float(q[0]), float(q[1]), float(q[2]))


def matmul_gflops(size: int = 1024, seconds: float = 3.0) -> float:
    """The machine's measured fp32 matrix-multiply rate on the threads torch uses."""
    a, b = torch.randn(size, size), torch.randn(size, size)
    a @ b
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        a @ b
        done += 1
    return 2 * size**3 * done / (time.perf_counter() - started) / 1e9


def flops_per_comment(config: object, tokens: float) -> float:
    """Multiply-adds x2 of the encoder for one comment of `tokens` tokens (embeddings excluded)."""
    h, layers, inter = config.hidden_size, config.num_hidden_layers, config.intermediate_size  # type: ignore[attr-defined]
    per_token = layers * (4 * h * h + 2 * h * inter) * 2
    attention = layers * 2 * 2 * tokens * tokens * h
    return per_token * tokens + attention


def bert_base_bundle(directory: Path, manifest_from: Path) -> Path:
    """A BERT-base sized model with random weights, exported exactly like the shipped one."""
    from transformers import BertConfig, BertModel

    from training.export import write_bundle
    from triage.scoring.torch_model import PolicyModel

    torch.manual_seed(0)
    config = BertConfig()  # 12 layers, hidden 768: bert-base-uncased, the size of Detoxify's `original`
    model = PolicyModel(BertModel(config), config.hidden_size).eval()
    manifest = load_manifest(manifest_from).model_copy(
        update={"name": "bert-base-random", "model_version": "bert-base-random", "calibration": None}
    )
    write_bundle(model, manifest_from / "tokenizer.json", directory, manifest)
    from training.pipeline import _save_weights

    _save_weights(model, directory)
    return directory


def run(bundle: Path, seconds: float = 10.0, singles: int = 200, batch: int = 32, log=print) -> dict:
    torch.set_num_threads(2)
    texts = sample_texts()
    manifest = load_manifest(bundle)
    results: list[Timing] = []
    log("timing the int8 ONNX bundle")
    results.append(time_scorer("minilm int8 ONNX (shipped)", OnnxScorer(bundle).score, texts, batch, singles, seconds))
    log("timing the same model in torch fp32")
    results.append(time_scorer("minilm torch fp32", TorchScorer(bundle).score, texts, batch, singles, seconds))
    with tempfile.TemporaryDirectory() as tmp:
        log("exporting a BERT-base sized model (random weights) the same way")
        big = bert_base_bundle(Path(tmp) / "bert-base", bundle)
        results.append(
            time_scorer("bert-base int8 ONNX", OnnxScorer(big).score, texts, batch, max(20, singles // 4), seconds)
        )
        results.append(
            time_scorer("bert-base torch fp32", TorchScorer(big).score, texts, batch, max(20, singles // 4), seconds)
        )
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(bundle / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(manifest.max_length)
    mean_tokens = statistics.mean(len(e.ids) for e in tokenizer.encode_batch(texts))
    from transformers import AutoConfig

    flops = flops_per_comment(AutoConfig.from_pretrained(str(bundle)), mean_tokens)
    gflops = matmul_gflops()
    log("checking that int8 costs no quality: OLID level A macro-F1, int8 ONNX against torch fp32")
    from training.suites import olid_a

    quality = {"int8": olid_a(OnnxScorer(bundle))["macro_f1"], "fp32": olid_a(TorchScorer(bundle))["macro_f1"]}
    return {
        "timings": results,
        "quality": quality,
        "mean_tokens": mean_tokens,
        "flops_per_comment": flops,
        "matmul_gflops": gflops,
        "arithmetic_limit_per_s": gflops * 1e9 / flops,
    }


def markdown(result: dict) -> str:
    timings: list[Timing] = result["timings"]
    shipped, torch_same, bert_onnx, bert_torch = timings
    lines = [
        "| model | batched comments/s | single p50 ms | p95 ms | p99 ms | batched vs shipped |",
        "|---|---|---|---|---|---|",
    ]
    for t in timings:
        lines.append(
            f"| {t.name} | {t.batched_per_s:.0f} | {t.p50_ms:.2f} | {t.p95_ms:.2f} | {t.p99_ms:.2f} | {t.batched_per_s / shipped.batched_per_s:.3f} |"
        )
    lines += [
        "",
        "Ratios measured in this run:",
        "",
        f"- int8 ONNX / torch fp32 (same model), batched: **{shipped.batched_per_s / torch_same.batched_per_s:.2f}x**",
        f"- int8 ONNX / BERT-base torch fp32, batched: **{shipped.batched_per_s / bert_torch.batched_per_s:.1f}x**; "
        f"against BERT-base exported the same way (int8 ONNX): **{shipped.batched_per_s / bert_onnx.batched_per_s:.1f}x**",
        f"- arithmetic limit: {result['flops_per_comment'] / 1e6:.0f} MFLOP per comment (mean {result['mean_tokens']:.1f} tokens) "
        f"at the measured {result['matmul_gflops']:.0f} GFLOP/s fp32 matmul = {result['arithmetic_limit_per_s']:.0f} comments/s; "
        f"the shipped model reaches **{shipped.batched_per_s / result['arithmetic_limit_per_s']:.2f}** of it (int8 can exceed the fp32 limit)",
        f"- quality kept: OLID level A macro-F1 int8 {result['quality']['int8']:.4f}, torch fp32 {result['quality']['fp32']:.4f} "
        f"(difference {result['quality']['int8'] - result['quality']['fp32']:+.4f})",
    ]
    return "\n".join(lines) + "\n"


def against_previous(bundle: Path, previous: Path, rounds: int = 3, seconds: float = 5.0, log=print) -> dict:
    """Batched throughput of a new bundle against the one it replaces, interleaved in one run
    (rounds alternate, so a noisy neighbour costs both alike); the ratio is new / previous."""
    from triage.scoring.registry import load_bundle

    texts = sample_texts()
    scorers = {"new": load_bundle(bundle), "previous": load_bundle(previous)}
    rates: dict[str, list[float]] = {"new": [], "previous": []}
    for round_ in range(rounds):
        for name in ("new", "previous") if round_ % 2 == 0 else ("previous", "new"):
            timing = time_scorer(name, scorers[name].score, texts, batch=32, singles=0, seconds=seconds)
            rates[name].append(timing.batched_per_s)
            log(f"round {round_ + 1}: {name} {timing.batched_per_s:.1f} comments/s")
    new, old = float(np.median(rates["new"])), float(np.median(rates["previous"]))
    return {"new_per_s": new, "previous_per_s": old, "ratio": new / old, "rounds": rounds}
