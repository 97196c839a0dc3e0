"""The model in a process of its own: the same scores as in this process; a process that dies,
hangs or cannot load fails its batch safe and is replaced; a bundle changed on disk is refused
until the model is reloaded; the app stops its model processes when it stops."""

from __future__ import annotations

import json
import os
import shutil
import signal
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from serve.app import create_app
from triage.config import Settings
from triage.scoring.base import ScorerError
from triage.scoring.bundle import BundleError
from triage.service import load_scorer, score_safely
from triage.service.model_process import ProcessScorer
from triage.storage.accounts import create_api_key

BUNDLE = Path("models/baselines/tfidf-lr")  # small and quick to load: the mechanism, not the model
TEXTS = ["When is the green bin collected on Mill Road?", "You lot are useless idiots", "ring 07911 123456"]


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    return Path(shutil.copytree(BUNDLE, tmp_path / "bundle"))


@pytest.fixture
def scorer(bundle: Path):  # type: ignore[no-untyped-def]
    scorer = ProcessScorer(bundle, timeout_s=2.0)
    yield scorer
    scorer.close()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/status").exists() and "zombie" not in Path(f"/proc/{pid}/status").read_text()


def test_a_model_process_scores_as_this_process_does(scorer: ProcessScorer, bundle: Path) -> None:
    here = load_scorer(bundle)
    assert (scorer.name, scorer.version, scorer.thresholds) == (here.name, here.version, here.thresholds)
    for theirs, ours in zip(scorer.score(TEXTS), here.score(TEXTS), strict=True):
        assert theirs.scores == pytest.approx(ours.scores)
        assert (theirs.pii_spans, theirs.intent, theirs.uncorroborated) == (
            ours.pii_spans,
            ours.intent,
            ours.uncorroborated,
        )


def test_a_killed_model_process_fails_its_batch_safe_and_is_replaced(scorer: ProcessScorer) -> None:
    [first] = scorer.pids
    os.kill(first, signal.SIGKILL)
    [outcome] = score_safely(scorer, TEXTS[:1])
    assert outcome.scored is None and outcome.failure  # referred to a person, never a guess
    assert len(scorer.score(TEXTS)) == len(TEXTS)  # the next batch starts another process
    assert scorer.pids != [first]


def test_a_hung_model_process_times_out_and_is_replaced(scorer: ProcessScorer) -> None:
    [hung] = scorer.pids
    os.kill(hung, signal.SIGSTOP)
    started = time.monotonic()
    with pytest.raises(ScorerError, match="no answer"):
        scorer.score(TEXTS)
    assert time.monotonic() - started < 10
    assert not alive(hung)  # killed, not left behind
    assert len(scorer.score(TEXTS)) == len(TEXTS)


def test_a_bundle_changed_on_disk_is_refused_until_the_model_is_reloaded(scorer: ProcessScorer, bundle: Path) -> None:
    manifest = json.loads((bundle / "manifest.json").read_text())
    (bundle / "manifest.json").write_text(json.dumps(manifest | {"model_version": "tfidf-lr-another"}))
    os.kill(scorer.pids[0], signal.SIGKILL)
    with pytest.raises(ScorerError):
        scorer.score(TEXTS)
    with pytest.raises(ScorerError, match="reload the model"):
        scorer.score(TEXTS)  # its scores would be stored under the wrong model version


def test_a_refused_bundle_is_not_started_again_with_every_batch(scorer: ProcessScorer, bundle: Path) -> None:
    manifest = json.loads((bundle / "manifest.json").read_text())
    (bundle / "manifest.json").write_text(json.dumps(manifest | {"model_version": "tfidf-lr-another"}))
    os.kill(scorer.pids[0], signal.SIGKILL)
    for _ in range(2):
        with pytest.raises(ScorerError):
            scorer.score(TEXTS)
    started = time.monotonic()
    with pytest.raises(ScorerError, match="reload the model"):
        scorer.score(TEXTS)
    assert time.monotonic() - started < 1 and scorer.pids == []  # refused at once, nothing spawned


def test_closing_fails_a_batch_in_flight_safe_and_leaves_no_process(scorer: ProcessScorer) -> None:
    [busy] = scorer.pids
    os.kill(busy, signal.SIGSTOP)  # the batch below waits on it
    outcome: list[object] = []
    batch = threading.Thread(target=lambda: outcome.extend(score_safely(scorer, TEXTS[:1])))
    batch.start()
    time.sleep(0.5)
    scorer.close()
    batch.join(timeout=10)
    assert not batch.is_alive() and outcome[0].scored is None  # type: ignore[attr-defined]
    assert scorer.pids == [] and not alive(busy)
    with pytest.raises(ScorerError, match="closed"):
        scorer.score(TEXTS)  # never started again once closed
    assert scorer.pids == []


def test_a_bundle_that_cannot_be_loaded_is_refused(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(BundleError, match="could not load"):
        ProcessScorer(tmp_path / "empty")


def test_the_app_scores_in_model_processes_and_stops_them(tmp_path: Path, bundle: Path) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", model_path=bundle, environment="test", model_lanes=2
    )
    app = create_app(settings)
    with TestClient(app) as client:
        state = app.state.triage
        pids = state.scorer.pids
        assert len(pids) == 2 and all(alive(pid) for pid in pids)
        with state.sessions() as session:
            key = create_api_key(
                session, name="t", councils=["swale"], scopes=["comments:write"], now=datetime.now(UTC)
            )
            session.commit()
        body = {"platform": "facebook", "external_id": "1", "author_handle": "a", "post_id": "p", "text": TEXTS[1]}
        answer = client.post("/v1/comments", json=body, headers={"Authorization": f"Bearer {key}"})
        assert answer.status_code == 200 and answer.json()["model_version"] == state.scorer.version
    assert not any(alive(pid) for pid in pids)


def test_a_model_process_that_cannot_be_started_is_refused_with_its_cause(
    bundle: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Closing what never started used to fail in `join`, hiding the cause behind an AssertionError.
    def no_process_slots(self: object) -> None:
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr("multiprocessing.process.BaseProcess.start", no_process_slots)
    with pytest.raises(OSError, match="Resource temporarily unavailable"):
        ProcessScorer(bundle)


def test_a_lost_model_process_that_cannot_be_started_again_fails_safe_and_waits(
    scorer: ProcessScorer, monkeypatch: pytest.MonkeyPatch
) -> None:
    [pid] = scorer.pids
    os.kill(pid, signal.SIGKILL)
    with pytest.raises(ScorerError):
        scorer.score(TEXTS)  # lost: its batch fails safe
    starts: list[object] = []

    def no_process_slots(self: object) -> None:
        starts.append(self)
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr("multiprocessing.process.BaseProcess.start", no_process_slots)
    with pytest.raises(ScorerError, match="Resource temporarily unavailable"):
        scorer.score(TEXTS)  # a ScorerError (fail safe), not an OSError from the batcher's thread
    with pytest.raises(ScorerError, match="tried again shortly"):
        scorer.score(TEXTS)
    assert len(starts) == 1  # not tried again with every batch
