"""The model in processes of its own, one a scoring lane. Its Python (the tokeniser, the n-gram
head, the outputs) then runs beside the web server's instead of waiting for its interpreter lock,
which the event loop and the recorder hold most of the time under load (docs/BENCHMARKS.md, issue
14); and a crash or a hang in ONNX Runtime fails one batch safe (a person decides) and the process
is started again, instead of the server going down with it."""

from __future__ import annotations

import gc
import logging
import multiprocessing
import queue
import signal
import threading
import time
from collections.abc import Sequence
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from triage.scoring.base import ScorerError
from triage.scoring.bundle import BundleError
from triage.types import ScoredText

log = logging.getLogger("triage.service")
READY, SCORED, FAILED = "ready", "scored", "failed"
# Loading and checking a bundle in a fresh interpreter takes a few seconds; a start that takes
# longer than this has gone wrong.
START_TIMEOUT_S = 120.0
# After a start that failed, batches fail safe at once this long before the next try: a bundle
# that cannot be loaded is not loaded again with every batch.
RESTART_PAUSE_S = 30.0
Identity = tuple[str, str, dict[str, float]]  # the bundle's name, version and thresholds


class ProcessLost(ScorerError):
    """The model process died, hung or cannot be reached: it is stopped, and started again later."""


def _serve(pipe: Connection, directory: str, spin: bool, threads: int) -> None:
    """The child: load and check the bundle, then score each batch sent until the pipe closes.
    Failures are sent back by type only: a message could quote a comment."""
    from triage.service.scoring import load_scorer

    for stop in (signal.SIGINT, signal.SIGTERM):  # sent to the whole group: the server closes the pipe
        signal.signal(stop, signal.SIG_IGN)
    try:
        scorer = load_scorer(Path(directory), spin=spin, threads=threads)
    except Exception as error:
        pipe.send((FAILED, f"{type(error).__name__}: {error}"))
        return
    gc.collect()
    gc.freeze()  # the model's vocabularies live as long as the process (as in serve.app)
    pipe.send((READY, (scorer.name, scorer.version, scorer.thresholds)))
    while True:
        try:
            texts = pipe.recv()
        except (EOFError, OSError):
            return
        try:
            answer: tuple[str, Any] = (SCORED, scorer.score(texts))
        except Exception as error:
            answer = (FAILED, type(error).__name__)
        try:
            pipe.send(answer)
        except OSError:
            return


class _Child:
    """One scoring process and its pipe."""

    def __init__(self, directory: Path, spin: bool, threads: int) -> None:
        self.args = (str(directory), spin, threads)
        self.process: BaseProcess | None = None
        self.pipe: Connection | None = None
        self._lock = threading.Lock()  # stop() may come from another thread (the app closing)

    def launch(self) -> None:
        """Start the process; one that could not be started (no memory, no process slots) is
        not kept, so stopping it later has nothing to join."""
        context = multiprocessing.get_context("spawn")  # never fork a process that holds threads
        pipe, child_end = context.Pipe()
        process = context.Process(target=_serve, args=(child_end, *self.args), name="triage-model", daemon=True)
        try:
            process.start()
        except BaseException:
            pipe.close()
            raise
        finally:
            child_end.close()
        self.process, self.pipe = process, pipe

    def identity(self) -> Identity:
        """What the started process loaded; raises BundleError if it could not load or check it."""
        try:
            status, detail = self.receive(START_TIMEOUT_S)
        except ProcessLost as error:
            self.stop()
            raise BundleError(f"the model process did not start: {error}") from error
        if status != READY:
            self.stop()
            raise BundleError(f"the model process could not load the bundle: {detail}")
        name, version, thresholds = detail
        return str(name), str(version), dict(thresholds)

    def receive(self, timeout_s: float) -> tuple[str, Any]:
        pipe = self.pipe  # read once: stop() may clear it from another thread
        if pipe is None:
            raise ProcessLost("the model process is not running")
        try:
            if not pipe.poll(timeout_s):
                raise ProcessLost(f"the model process gave no answer in {timeout_s:g} s")
            message: tuple[str, Any] = pipe.recv()
        except (EOFError, OSError) as error:
            raise ProcessLost("the model process stopped") from error
        return message

    def score(self, texts: list[str], timeout_s: float) -> list[ScoredText]:
        pipe = self.pipe
        if pipe is None:
            raise ProcessLost("the model process is not running")
        try:
            pipe.send(texts)
        except (OSError, ValueError) as error:
            raise ProcessLost("the model process stopped") from error
        status, result = self.receive(timeout_s)
        if status != SCORED:
            raise ScorerError(f"the model failed: {result}")
        return list(result)

    def stop(self, *, wait: bool = True) -> None:
        """Close the pipe and end the process: given `wait`, 2 s to exit on its own first (it
        exits when the pipe closes), else killed at once (lost, or the app is closing)."""
        with self._lock:
            process, pipe = self.process, self.pipe
            self.process = self.pipe = None
        if pipe is not None:
            pipe.close()
        if process is not None:
            process.join(timeout=2 if wait else 0)
            if process.is_alive():
                process.kill()
                process.join(timeout=5)


class ProcessScorer:
    """A Scorer whose batches are scored in `processes` child processes, one batch each at a time.
    A process that dies, hangs past `timeout_s` or cannot be reached is stopped and its batch fails
    (ScorerError: fail safe); the next batch starts it again with the same bundle. A bundle changed
    on disk since is refused until the model is reloaded (no score under the wrong version)."""

    def __init__(
        self, directory: Path, *, processes: int = 1, spin: bool = False, threads: int = 1, timeout_s: float = 5.0
    ) -> None:
        self.timeout_s = timeout_s
        self._children = [_Child(directory, spin, threads) for _ in range(processes)]
        self._free: queue.SimpleQueue[_Child] = queue.SimpleQueue()
        self._closed, self._retry_at, self._refused = False, 0.0, ""
        try:
            for child in self._children:
                child.launch()  # all at once: each spends its start loading the bundle
            identities = [child.identity() for child in self._children]
            if any(identity != identities[0] for identity in identities):
                raise BundleError("the model processes loaded different bundles: was it replaced as they started?")
        except BaseException:
            self.close()
            raise
        self._identity = identities[0]
        self.name, self.version, self.thresholds = self._identity
        for child in self._children:
            self._free.put(child)

    def score(self, texts: Sequence[str]) -> list[ScoredText]:
        if not texts:
            return []
        if self._closed:
            raise ScorerError("the model processes have been closed")
        try:
            child = self._free.get(timeout=self.timeout_s)
        except queue.Empty:
            raise ScorerError(f"no model process was free in {self.timeout_s:g} s") from None
        try:
            return self._score_in(child, list(texts))
        finally:
            if self._closed:
                child.stop(wait=False)  # closed meanwhile: whatever it started is stopped too
            else:
                self._free.put(child)

    def _score_in(self, child: _Child, texts: list[str]) -> list[ScoredText]:
        if self._closed:
            raise ScorerError("the model processes have been closed")
        if child.process is None:
            self._restart(child)
        try:
            return child.score(texts, self.timeout_s)
        except ProcessLost as error:
            log.warning("%s; a new one starts with the next batch", error)
            child.stop(wait=False)
            raise

    def _restart(self, child: _Child) -> None:
        if self._refused:
            raise ScorerError(self._refused)
        if time.monotonic() < self._retry_at:
            raise ScorerError("the model process could not be started; it is tried again shortly")
        try:
            child.launch()
            identity = child.identity()
        except (BundleError, OSError) as error:  # could not load, or not even start
            self._retry_at = time.monotonic() + RESTART_PAUSE_S
            raise ScorerError(str(error)) from error
        if identity != self._identity:
            child.stop(wait=False)
            self._refused = f"the bundle on disk is now {identity[1]}, not {self.version}: reload the model"
            raise ScorerError(self._refused)

    @property
    def pids(self) -> list[int]:
        """The running model processes' ids (for operators and tests)."""
        return [child.process.pid for child in self._children if child.process is not None and child.process.pid]

    def close(self) -> None:
        """Stop every model process, busy or not (a batch in flight fails safe); never restarted."""
        self._closed = True
        for child in self._children:
            child.stop(wait=False)


def close_scorer(scorer: object) -> None:
    """Stop a scorer's processes, if it has any (an in-process scorer has nothing to stop)."""
    if isinstance(scorer, ProcessScorer):
        scorer.close()
