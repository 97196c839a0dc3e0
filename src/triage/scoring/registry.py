"""Load a scorer from a bundle folder, by the kind its manifest names (an explicit registry)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from triage.scoring.base import Scorer
from triage.scoring.bundle import BundleError, load_manifest


def _onnx(directory: Path, contacts: Iterable[str], spin: bool, threads: int) -> Scorer:
    from triage.scoring.onnx_backend import OnnxScorer

    return OnnxScorer(directory, threads=threads, allowed_contacts=contacts, spin=spin)


def _tfidf(directory: Path, contacts: Iterable[str], spin: bool, threads: int) -> Scorer:
    from triage.scoring.tfidf_backend import TfidfScorer

    return TfidfScorer(directory, allowed_contacts=contacts)


LOADERS: dict[str, Callable[[Path, Iterable[str], bool, int], Scorer]] = {"onnx-policy": _onnx, "tfidf-lr": _tfidf}


def load_bundle(directory: Path, allowed_contacts: Iterable[str] = (), spin: bool = True, threads: int = 0) -> Scorer:
    """The scorer for a bundle folder; `spin` lets ONNX Runtime's threads busy-wait between runs
    (fastest alone, wasteful beside a web server); `threads` is ONNX Runtime's threads a run (0:
    one per core)."""
    if not directory.is_dir():
        raise BundleError(f"no model bundle at {directory}: give a folder with a manifest.json")
    manifest = load_manifest(directory)
    return LOADERS[manifest.kind](directory, allowed_contacts, spin, threads)
