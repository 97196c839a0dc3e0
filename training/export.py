"""Export a fitted policy model to a self-describing bundle: fused, int8-quantised ONNX for serving,
the tokenizer, calibration, thresholds and the manifest (DESIGN.md s4)."""

from __future__ import annotations

import shutil
import tempfile
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
    axes = {"input_ids": {0: "batch", 1: "sequence"}, "attention_mask": {0: "batch", 1: "sequence"},
            "label_logits": {0: "batch"}, "intent_logits": {0: "batch"}}  # fmt: skip
    torch.onnx.export(model, (ids, mask), str(path), input_names=["input_ids", "attention_mask"],
                      output_names=["label_logits", "intent_logits"], dynamic_axes=axes, opset_version=OPSET,
                      dynamo=False)  # fmt: skip


def quantise(fp32: Path, output: Path) -> None:
    """Dynamic int8 quantisation of the weights (activations are quantised per batch at run time).
    ONNX Runtime applies its graph optimisations when the session loads (ORT_ENABLE_ALL). The offline
    transformer fusion (QAttention) was measured slower on this 2-core CPU: 246 against 282
    comments/s (docs/BENCHMARKS.md), so it is not applied."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(fp32), str(output), weight_type=QuantType.QInt8, per_channel=True,
                     extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})  # fmt: skip


def write_bundle(
    model: PolicyModel, tokenizer_json: Path, directory: Path, manifest: Manifest, keep_fp32: bool = False
) -> Path:
    """Write the bundle folder; the manifest gains the file names it holds."""
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    config = model.backbone.config
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "model-fp32.onnx"
        export_onnx(model, fp32)
        quantise(fp32, directory / "model.int8.onnx")
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
