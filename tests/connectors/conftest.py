"""Connector fixtures: a migrated SQLite database, the fake scorer, the fake platform, a fake clock."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import FakeScorer
from triage import review
from triage.connectors import connections, inbound
from triage.connectors.fake_platform import FakePlatform
from triage.connectors.intake import Intake
from triage.connectors.platforms import HttpPlatforms
from triage.connectors.sample_payloads import body
from triage.connectors.worker import Worker
from triage.policy.profile import profile_by_name
from triage.storage import outbox as outbox_store
from triage.storage.accounts import create_user
from triage.storage.db import make_engine, migrate, session_factory

TOKENS = {"FB_TOKEN": "good-token", "IG_TOKEN": "good-token", "X_TOKEN": "good-token"}


@dataclass
class Clock:
    """Starts on a Tuesday at 10:00 UTC; `sleep` moves it on and remembers each wait."""

    now: datetime = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)
    slept: list[float] = field(default_factory=list)

    def __call__(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += timedelta(seconds=seconds)


@dataclass
class Rig:
    sessions: sessionmaker[Session]
    scorer: FakeScorer
    intake: Intake
    fake: FakePlatform
    clock: Clock
    environ: dict[str, str]

    def worker(self, **options: object) -> Worker:
        platforms = HttpPlatforms(self.fake.meta_url, self.fake.x_url, clock=self.clock)
        return Worker(
            self.sessions,
            platforms,
            self.intake,
            clock=self.clock,
            sleep=self.clock.sleep,
            rng=random.Random(7),
            environ=self.environ,
            **options,
        )  # type: ignore[arg-type]

    def connect(
        self, platform: str = "facebook", account: str = "PAGE1", mode: str = "live", council: str = "swale"
    ) -> int:
        with self.sessions() as session:
            return add_connection(
                session, now=self.clock(), platform=platform, account=account, mode=mode, council=council
            ).id


TOKEN_ENV = {"facebook": "FB_TOKEN", "instagram": "IG_TOKEN", "x": "X_TOKEN"}


def add_connection(
    session: Session,
    *,
    now: datetime,
    platform: str = "facebook",
    account: str = "PAGE1",
    mode: str = "live",
    council: str = "swale",
) -> connections.ConnectionView:
    """A connection as an admin adds it with the CLI (live unless said), token in its env var."""
    return connections.add(
        session,
        council=council,
        platform=platform,
        account_id=account,
        token_env=TOKEN_ENV[platform],
        mode=mode,
        actor="test",
        now=now,
    )


def swale_officer(rig: Rig, session: Session, role: str = "manager") -> review.Actor:
    """A swale officer, created now, as the review commands see them."""
    user = create_user(
        session, username="olive", password="correct horse battery", role=role, councils=["swale"], now=rig.clock()
    )
    return review.Actor(user_id=user.id, role=role, councils=("swale",))


def profile_for(council: str):  # type: ignore[no-untyped-def]
    return profile_by_name(council if council in ("swale", "ashfield") else "default")


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'triage.db'}"
    migrate(url)
    return url


@pytest.fixture
def rig(database_url: str) -> Iterator[Rig]:
    engine = make_engine(database_url)
    sessions = session_factory(engine)
    scorer, clock = FakeScorer(), Clock()
    intake = Intake(lambda: scorer, profile_for, sessions, clock=clock)
    with FakePlatform() as fake:
        yield Rig(sessions, scorer, intake, fake, clock, dict(TOKENS))
    engine.dispose()


def deliver(rig: Rig, source: str, payload: dict) -> int:  # type: ignore[type-arg]
    with rig.sessions() as session:
        event_id, _ = inbound.receive(session, source=source, body=body(payload), now=rig.clock())
    return event_id


def outbox_rows(rig: Rig) -> list:  # type: ignore[type-arg]
    with rig.sessions() as session:
        return sorted(outbox_store.rows(session), key=lambda r: r.id)
