"""The retraining loop end to end: officers contradict the model on a pattern, their decisions are
exported, a tiny model is retrained with them, compared, promoted and reloaded into the running
service, whose decisions then follow the officers."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from serve.app import create_app
from training.config import TrainConfig
from training.data_build import build
from training.decisions import export
from training.pipeline import train
from training.promotion import compare, officers_test, promote
from triage import review
from triage.config import Settings
from triage.labels import LABELS
from triage.policy.profile import known_councils, profile_by_name
from triage.scoring.registry import load_bundle
from triage.storage.accounts import create_api_key, create_user
from triage.storage.tables import ReviewItemRow

ROOT = Path(__file__).resolve().parents[1]
PATTERN = "gravy train"


def spam_margin(scorer, texts: list[str]) -> float:  # type: ignore[no-untyped-def]
    """Mean spam score of the officers' spam minus that of the rest."""
    scores = {text: scored.scores["spam"] for text, scored in zip(texts, scorer.score(texts), strict=True)}
    spam = [score for text, score in scores.items() if PATTERN in text]
    rest = [score for text, score in scores.items() if PATTERN not in text]
    return sum(spam) / len(spam) - sum(rest) / len(rest)


def test_officers_decisions_retrain_the_served_model(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("training.suites.RAW", ROOT / "data/raw")
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.db'}")
    table = tmp_path / "table.parquet"
    build(ROOT / "data/raw", table, synthetic_pii_rows=200, synthetic_council_rows=200, synthetic_functional_rows=200)
    tiny = replace(TrainConfig.load(ROOT / "training/configs/tiny.toml"), table=str(table), max_train_rows=200)
    champion = train(tiny, output_root=tmp_path / "models", log=lambda _: None)
    served = tmp_path / "served" / "minilm-policy"
    promote(champion, served, log=lambda _: None)

    app = create_app(
        Settings(
            database_url=f"sqlite:///{tmp_path / 'db.sqlite'}",
            model_path=served,
            environment="test",
            council_profiles={},
            default_profile="lewes-eastbourne",
        )
    )
    with TestClient(app) as client:
        state = app.state.triage
        with state.sessions() as session:
            key = create_api_key(
                session,
                name="k",
                councils=["lewes-eastbourne"],
                scopes=["comments:write", "admin"],
                now=datetime.now(UTC),
            )
            admin_key = create_api_key(
                session, name="admin", councils=known_councils({}), scopes=["admin"], now=datetime.now(UTC)
            )  # the model serves every council
            officer = create_user(
                session,
                username="m",
                password="long enough password",
                role="manager",
                councils=["lewes-eastbourne"],
                now=datetime.now(UTC),
            )
            session.commit()
        headers = {"Authorization": f"Bearer {key}"}
        texts = [
            f"the {PATTERN} rolls on at number {i}" if i % 2 else f"lovely flowers in the park today {i}"
            for i in range(120)
        ]
        for i, text in enumerate(texts):
            client.post(
                "/v1/comments",
                headers=headers,
                json={"platform": "x", "external_id": f"s{i}", "author_handle": f"a{i}", "text": text},
            )
        # Officers label every comment: the pattern is spam, the rest is not (whatever the model said).
        with state.sessions() as session:
            from triage.storage.tables import CommentRow

            for item in list(session.scalars(select(ReviewItemRow))):
                spam = int(PATTERN in (session.get(CommentRow, item.comment_id).text or ""))
                decision = review.OfficerDecision(
                    action="remove" if spam else "allow",
                    labels=dict.fromkeys(LABELS, 0) | {"spam": spam},
                    reason_code="spam" if spam else "fine",
                )
                actor = review.Actor(officer.id, "manager", ("lewes-eastbourne",))
                review.decide(
                    session,
                    item_id=item.id,
                    actor=actor,
                    decision=decision,
                    profiles=profile_by_name,
                    now=datetime.now(UTC),
                )
            exported = export(session, datetime(2000, 1, 1, tzinfo=UTC), tmp_path / "decisions.parquet")
        assert exported["rows"] >= 100

        retrain = replace(tiny, name="tiny-officers", train_samples=3000, decisions_weight=200.0, learning_rate=3e-3)
        challenger = train(
            retrain, output_root=tmp_path / "models", log=lambda _: None, decisions=tmp_path / "decisions.parquet"
        )
        result = compare(
            load_bundle(champion),
            load_bundle(challenger),
            tmp_path / "decisions.parquet",
            challenger,
            suites=["youtube_heldout"],
        )
        assert any(row[0].startswith("officers") for row in result.rows)
        # Judged by ranking and margin, not by a tiny model's threshold: where a score sits against a
        # threshold depends on the CPU's floating-point path (it failed on AVX-512 hosts); a wide
        # margin between the officers' spam and the rest does not.
        after = officers_test(load_bundle(challenger), tmp_path / "decisions.parquet")["per_label"]["spam"]
        assert after["roc_auc"] >= 0.9
        assert spam_margin(load_bundle(challenger), texts) > spam_margin(load_bundle(champion), texts) + 0.1

        promote(challenger, served, log=lambda _: None)
        reloaded = client.post("/v1/admin/reload-model", headers={"Authorization": f"Bearer {admin_key}"})
        reloaded = reloaded.json()["model_version"]
        after_texts = {"spam": f"all aboard the {PATTERN} again", "fine": "lovely flowers in the park today again"}
        bodies = {
            kind: client.post(
                "/v1/comments",
                headers=headers,
                json={"platform": "x", "external_id": f"after-{kind}", "author_handle": "z", "text": text},
            ).json()
            for kind, text in after_texts.items()
        }
        assert bodies["spam"]["model_version"] == reloaded != load_bundle(champion).version
        assert bodies["spam"]["scores"]["spam"] > bodies["fine"]["scores"]["spam"]  # the served model follows them
        assert os.path.exists(tmp_path / "served" / ".previous" / "minilm-policy")
