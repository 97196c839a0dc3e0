"""The shipped bundle serves: the app loads it from disk and decides with it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from serve.app import create_app
from triage.config import Settings
from triage.scoring.bundle import load_manifest
from triage.service import load_scorer
from triage.service.scoring import PROBE_TEXTS
from triage.storage.accounts import create_api_key

BUNDLE = Path("models/minilm-policy")
pytestmark = pytest.mark.skipif(not BUNDLE.exists(), reason="no shipped bundle")  # fast: runs in CI


def test_shipped_bundle_serves(tmp_path: Path) -> None:
    app = create_app(
        Settings(database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", model_path=BUNDLE, environment="test")
    )
    with TestClient(app) as client:
        assert client.get("/health/ready").json()["status"] == "ready"
        with app.state.triage.sessions() as session:
            key = create_api_key(
                session, name="t", councils=["ashfield"], scopes=["comments:write"], now=datetime.now(UTC)
            )
            session.commit()
        body = client.post(
            "/v1/comments",
            headers={"Authorization": f"Bearer {key}"},
            json={
                "platform": "facebook",
                "external_id": "1",
                "author_handle": "a",
                "text": "What a load of fucking shit, you useless idiots",
            },
        ).json()
        assert body["model_version"] == load_manifest(BUNDLE).model_version
        assert body["scores"]["obscene"] > 0.5 and body["action"] == "remove"


def test_two_lanes_sharing_one_model_score_as_one_at_a_time() -> None:
    """The server's lanes share one ONNX Runtime session: batches scored side by side on two
    threads get exactly the scores they get one after another."""
    scorer = load_scorer(BUNDLE, spin=False, threads=1)
    batches = [[f"{text} {i}" for text in PROBE_TEXTS[: 2 + i % 5]] for i in range(12)]
    alone = [scorer.score(batch) for batch in batches]
    with ThreadPoolExecutor(max_workers=2) as lanes:
        assert list(lanes.map(scorer.score, batches)) == alone
