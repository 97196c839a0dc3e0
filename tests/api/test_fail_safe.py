"""A model failure of any kind sends comments to a human: a bundle that scores known texts as
non-finite or out-of-range numbers is refused on load and on reload, and such scores at run time
are a model failure (stored, referred, `model_unavailable`), never an allow or a removal."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from serve.app import create_app
from tests.api.conftest import Api, make_api
from tests.conftest import FakeScorer
from triage.config import Settings
from triage.labels import LABELS
from triage.policy.profile import known_councils
from triage.scoring.bundle import BundleError
from triage.service import load_scorer, score_safely
from triage.storage.accounts import create_api_key
from triage.types import ScoredText

SHIPPED = Path("models/minilm-policy")
needs_bundle = pytest.mark.skipif(not SHIPPED.exists(), reason="no shipped bundle")


def bundle_copy(folder: Path, calibration_a: float | None = None) -> Path:
    """The shipped bundle in `folder` (large files linked), optionally with every label's Platt
    slope replaced."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in SHIPPED.iterdir():
        if path.name != "manifest.json" and not (folder / path.name).exists():
            (folder / path.name).symlink_to(path.resolve())
    manifest = json.loads((SHIPPED / "manifest.json").read_text())
    if calibration_a is not None:
        manifest["calibration"]["a"] = dict.fromkeys(LABELS, calibration_a)
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return folder


@needs_bundle
def test_a_bundle_with_nan_calibration_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BundleError, match="non-finite or out-of-range"):
        load_scorer(bundle_copy(tmp_path / "bad", calibration_a=math.nan))
    assert load_scorer(bundle_copy(tmp_path / "good")).version  # the same bundle, calibrated, loads


def _admin_key(app) -> str:  # type: ignore[no-untyped-def]
    """An admin key for every council: only such an admin may reload the model all councils share."""
    state = app.state.triage
    councils = known_councils(state.settings.council_profiles)
    with state.sessions() as session:
        key = create_api_key(
            session, name="ops", councils=councils, scopes=["admin", "comments:write"], now=datetime.now(UTC)
        )
        session.commit()
    return key


@needs_bundle
def test_the_app_refuses_a_nan_bundle_on_start_and_on_reload(tmp_path: Path) -> None:
    bundle = bundle_copy(tmp_path / "bundle")
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", model_path=bundle, environment="test")
    app = create_app(settings)
    with TestClient(app) as client:
        headers = {"Authorization": f"Bearer {_admin_key(app)}"}
        serving = client.get("/health/ready").json()["model"]
        bundle_copy(bundle, calibration_a=math.nan)
        reload = client.post("/v1/admin/reload-model", headers=headers)
        assert reload.status_code == 409 and reload.json()["code"] == "reload_failed"
        assert client.get("/health/ready").json()["model"] == serving  # still the old, sound model
    with TestClient(create_app(settings)) as client:  # a fresh start on the NaN bundle: no model
        ready = client.get("/health/ready")
        assert ready.status_code == 503 and ready.json()["model"] is None


class NanScorer(FakeScorer):
    """A model that loaded but answers NaN (or out of range) for one label."""

    def __init__(self, value: float) -> None:
        super().__init__()
        self.value = value

    def score(self, texts: Sequence[str]) -> list[ScoredText]:
        return [ScoredText({**s.scores, "hate": self.value}, s.pii_spans, s.intent) for s in super().score(texts)]


@pytest.fixture(params=[math.nan, -math.inf, 1.5])
def nan_api(request: pytest.FixtureRequest, database_url: str) -> Iterator[Api]:
    yield from make_api(database_url, NanScorer(request.param))


def test_unusable_scores_at_run_time_send_every_comment_to_a_human(nan_api: Api) -> None:
    texts = ["I will kill you", "you vermin", "discount driveways", "lovely park", "ring 07911 123456"]
    for number, text in enumerate(texts):
        response = nan_api.post(text, f"n{number}")
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["action"] == "refer" and body["needs_review"], text
        assert body["review_causes"] == ["model_unavailable"] and body["scores"] is None


def test_score_safely_names_the_failure() -> None:
    [outcome] = score_safely(NanScorer(math.nan), ["hello"])
    assert outcome.scored is None and "unusable" in outcome.failure
    [outcome] = score_safely(FakeScorer(fail=True), ["hello"])
    assert outcome.scored is None and "model error" in outcome.failure
    [outcome] = score_safely(FakeScorer(), ["hello"])
    assert outcome.scored is not None and outcome.model_version == "fake-1"


def test_the_default_model_is_found_from_any_working_folder(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TRIAGE_MODEL_PATH", raising=False)
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", environment="test")
    assert (settings.model_path / "manifest.json").exists()
