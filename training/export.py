"""Export a fitted policy model to a self-describing bundle: fused, int8-quantised ONNX for serving,
the tokenizer, calibration, thresholds and the manifest (DESIGN.md s4)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import onnx
import torch
from tokenizers import Tokenizer

from triage.labels import INTENTS, LABELS
from triage.scoring.bundle import Manifest, write_manifest
from triage.scoring.torch_model import PolicyModel

OPSET = 17


def export_onnx(model: PolicyModel, path: Path) -> None:
    """fp32 ONNX with dynamic batch and sequence axes."""
    model = model.eval()
    # Eager attention exports as plain MatMul/Softmax, which quantises and optimises cleanly; the
    # SDPA path exports a graph full of mask arithmetic.
    model.backbone.set_attn_implementation("eager")
    ids = torch.ones(2, 16, dtype=torch.long)
    mask = torch.ones(2, 16, dtype=torch.long)
    axes = {
        "input_ids": {0: "batch", 1: "sequence"},
        "attention_mask": {0: "batch", 1: "sequence"},
        "label_logits": {0: "batch"},
        "intent_logits": {0: "batch"},
        "pii_logits": {0: "batch", 1: "sequence"},
    }
    torch.onnx.export(
        model,
        (ids, mask),
        str(path),
        input_names=["input_ids", "attention_mask"],
        output_names=["label_logits", "intent_logits", "pii_logits"],
        dynamic_axes=axes,
        opset_version=OPSET,
        dynamo=False,
    )


# Matrix multiplies left in fp32, fewest first: the first set whose validation F1 stays within
# QUANTISATION_TOLERANCE of fp32 for every label is used (`choose_exclusions`). The classifier heads
# and the layers that write into the residual stream are where int8 rounding errors add up.
EXCLUSION_CANDIDATES: list[tuple[str, tuple[str, ...]]] = [
    ("none", ()),
    ("heads", ("_head/",)),
    ("heads, attention output", ("_head/", "/attention/output/dense/")),
    ("heads, attention and feed-forward output", ("_head/", "/output/dense/")),
]
QUANTISATION_TOLERANCE = 0.005


def quantise(fp32: Path, output: Path, exclude: tuple[str, ...] = ()) -> None:
    """Dynamic int8 quantisation of the weights (activations are quantised per batch at run time),
    leaving nodes whose names contain a pattern in `exclude` in fp32. ONNX Runtime applies its
    graph optimisations when the session loads (ORT_ENABLE_ALL). The offline transformer fusion
    (QAttention) was measured slower on this 2-core CPU: 246 against 282 comments/s
    (docs/BENCHMARKS.md), so it is not applied."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    names = [node.name for node in onnx.load(str(fp32)).graph.node if any(p in node.name for p in exclude)]
    quantize_dynamic(
        str(fp32),
        str(output),
        weight_type=QuantType.QInt8,
        per_channel=True,
        nodes_to_exclude=names,
        extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
    )


def choose_exclusions(
    fp32: Path, f1_of: Callable[[Path], dict[str, float]], log=print
) -> tuple[str, tuple[str, ...], float]:  # type: ignore[no-untyped-def]
    """The fewest fp32 exclusions whose int8 model keeps every label's validation F1 (`f1_of`:
    label -> F1 of an ONNX file, never on a test split) within the tolerance of the fp32 model's.
    If none does, nothing is left in fp32: fp32 layers cost speed (the feed-forward outputs are a
    third of the multiplies), and paying it without reaching the tolerance buys little."""
    reference = f1_of(fp32)
    gaps = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, patterns in EXCLUSION_CANDIDATES:
            candidate = Path(tmp) / "candidate.onnx"
            quantise(fp32, candidate, patterns)
            f1 = f1_of(candidate)
            gap = max((abs(f1[label] - reference[label]) for label in reference if f1[label] == f1[label]), default=0.0)
            log(f"int8 with {name} left in fp32: largest validation F1 change {gap:.4f}")
            gaps.append(gap)
            if gap <= QUANTISATION_TOLERANCE:
                return name, patterns, gap
    name, patterns = EXCLUSION_CANDIDATES[0]
    log(f"no candidate within {QUANTISATION_TOLERANCE}: all layers int8 (largest validation F1 change {gaps[0]:.4f})")
    return name, patterns, gaps[0]


def write_bundle(
    model: PolicyModel,
    tokenizer_json: Path,
    directory: Path,
    manifest: Manifest,
    keep_fp32: bool = False,
    f1_of: Callable[[Path], dict[str, float]] | None = None,
    log=print,  # type: ignore[no-untyped-def]
) -> Path:
    """Write the bundle folder; the manifest gains the file names it holds. With `f1_of` (an ONNX
    file's validation F1 per label), the layers left in fp32 are chosen by it (`choose_exclusions`)
    and recorded in the manifest."""
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    config = model.backbone.config
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "model-fp32.onnx"
        export_onnx(model, fp32)
        exclusions: tuple[str, ...] = ()
        if f1_of is not None:
            name, exclusions, gap = choose_exclusions(fp32, f1_of, log)
            manifest = manifest.model_copy(
                update={"quantisation": {"fp32_layers": name, "validation_f1_change": round(gap, 4)}}
            )
        quantise(fp32, directory / "model.int8.onnx", exclusions)
        if keep_fp32:
            shutil.copy(fp32, directory / "model.fp32.onnx")
    Tokenizer.from_file(str(tokenizer_json)).save(str(directory / "tokenizer.json"))
    config.save_pretrained(directory)  # the backbone's shape, for the torch scorer and further training
    files = {"model": "model.int8.onnx", "tokenizer": "tokenizer.json", "config": "config.json"}
    if keep_fp32:
        files["model_fp32"] = "model.fp32.onnx"
    write_manifest(
        directory, manifest.model_copy(update={"files": files, "labels": list(LABELS), "intents": list(INTENTS)})
    )
    return directory
