"""Ingest as one library command: `Triage.score_and_record` scores fail safe, falls back to the
default profile, routes, stores and answers typed results, for every caller alike."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from tests.conftest import FakeScorer
from triage.config import Settings
from triage.service import IncomingComment, Profiles, Triage
from triage.storage import repo
from triage.storage.db import Database
from triage.types import ScoredText


def comment(text: str, external_id: str, council: str = "swale") -> IncomingComment:
    return IncomingComment(council, "facebook", external_id, "resident1", "p1", "", text, None)


def open_triage(tmp_path: Path, scorer: FakeScorer | None, **options: float) -> Triage:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", environment="test")
    database = Database.open(settings.database_url)
    return Triage(scorer, Profiles(settings), database.sessions, **options)  # type: ignore[arg-type]


def test_score_and_record_answers_typed_results_with_flags(tmp_path: Path) -> None:
    triage = open_triage(tmp_path, FakeScorer())
    idiot, question = triage.score_and_record([comment("you idiot", "1"), comment("bin day?", "2")])
    assert idiot.created and idiot.labels_flagged == ["abuse"] and idiot.model_version == "fake-1"
    assert question.labels_flagged == ["needs_response"] and question.respond_by is not None
    [retry] = triage.score_and_record([comment("you idiot", "1")])
    assert not retry.created and retry.id == idiot.id and retry.labels_flagged == ["abuse"]


def test_an_unknown_council_is_decided_under_the_default_profile(tmp_path: Path) -> None:
    [result] = open_triage(tmp_path, FakeScorer()).score_and_record([comment("hello", "1", council="nowhere")])
    assert result.policy_version.startswith("default@")


def test_no_model_refers_every_comment_to_a_human(tmp_path: Path) -> None:
    triage = open_triage(tmp_path, None)
    results = triage.score_and_record([comment("I will kill you", "1"), comment("lovely", "2")])
    assert all(r.action == "refer" and r.review_causes == ["model_unavailable"] for r in results)
    with triage.sessions() as session:
        assert repo.queue_depth(session, councils=["swale"]) == {"swale": 2}


class SlowScorer(FakeScorer):
    def score(self, texts: Sequence[str]) -> list[ScoredText]:
        time.sleep(0.5)
        return super().score(texts)


def test_a_model_that_hangs_is_a_model_failure(tmp_path: Path) -> None:
    [result] = open_triage(tmp_path, SlowScorer(), timeout_s=0.05).score_and_record([comment("you idiot", "1")])
    assert result.action == "refer" and "model timed out" in result.reasons[0]["note"]


def test_demo_seed_goes_through_the_same_command(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """`triage demo seed` is fail safe too: with a model that fails, every comment is referred."""
    from typer.testing import CliRunner

    from triage.config import get_settings
    from triage_cli import demo
    from triage_cli.main import app

    url = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    monkeypatch.setenv("TRIAGE_DATABASE_URL", url)
    monkeypatch.setattr(demo, "load_scorer", lambda path: FakeScorer(fail=True))
    get_settings.cache_clear()
    try:
        outcome = CliRunner().invoke(app, ["demo", "seed", "--council", "swale"])
    finally:
        get_settings.cache_clear()
    assert outcome.exit_code == 0, outcome.output
    with Database.open(url).sessions() as session:
        assert repo.queue_depth(session, councils=["swale"]) == {"swale": len(demo.COMMENTS)}  # every one to a human


ADVERT = "Earn £300 a day from home!! Message me for details, only a few places left 💰"


def test_a_spam_wave_with_small_edits_is_caught_as_very_similar_messages(tmp_path: Path) -> None:
    """Seed 001: "do not post the same message, or very similar messages, more than once"."""
    triage = open_triage(tmp_path, FakeScorer())
    wave = [ADVERT, ADVERT.replace("£300", "£350") + " 💰💰", ADVERT.replace("Message me", "DM me")]
    results = triage.score_and_record([comment(text, f"w{n}", council="district-001") for n, text in enumerate(wave)])
    rules = [[reason["rule"] for reason in result.reasons] for result in results]
    assert "duplicates" not in rules[0]
    assert all("duplicates" in fired for fired in rules[1:])
    other = triage.score_and_record([comment("When is the brown bin collection back to normal?", "o1", "district-001")])
    assert "duplicates" not in [reason["rule"] for reason in other[0].reasons]


def test_a_welsh_comment_goes_to_an_officer_and_is_never_removed_automatically(tmp_path: Path) -> None:
    triage = open_triage(tmp_path, FakeScorer())
    text = "Pryd fydd y bin yn cael ei gasglu? Mae hi wedi bod dros wythnos, y idiot"  # 'idiot' scores abuse
    [result] = triage.score_and_record([comment(text, "cy1", council="swale")])
    assert result.action != "remove" and result.needs_review and "language_unreadable" in result.review_causes
    assert result.respond_by is not None
