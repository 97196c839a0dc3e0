"""Group commit: comments stored together behave as if stored one after another, and one faulty
comment does not fail the others."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from tests.conftest import FakeScorer
from triage import service
from triage.policy.profile import profile_by_name
from triage.storage.db import make_engine, migrate, session_factory
from triage.storage.ingest import StoredResult
from triage.storage.tables import AuditEventRow, AuthorRow, CommentRow, ReviewItemRow

SCORER = FakeScorer()


def pending(text: str, external_id: str, council: str = "ashfield", author: str = "resident1") -> service.Pending:
    incoming = service.IncomingComment(council, "facebook", external_id, author, "p1", "", text, None)
    return service.Pending(incoming, SCORER.score([text])[0], SCORER.version)


def sessions(database_url: str):  # type: ignore[no-untyped-def]
    migrate(database_url)
    return session_factory(make_engine(database_url))


# Councils here are named as their profiles.
profiles = profile_by_name


def test_a_batch_sees_its_own_earlier_comments(database_url: str) -> None:
    batch = [
        pending("Great deals on driveways!", "g1"),
        pending("great deals on driveways", "g2"),  # a repeat of g1, in the same batch
        pending("Great deals on driveways!", "g1"),  # a retry of g1, in the same batch
        pending("you idiot", "g3", author="resident2"),
    ]
    with sessions(database_url)() as session:
        first, repeat, retry, abuse = service.record_many(session, batch, profiles, now=datetime.now(UTC))
        assert isinstance(first, StoredResult) and isinstance(retry, StoredResult)
        assert isinstance(repeat, StoredResult) and isinstance(abuse, StoredResult)
        assert retry.id == first.id and not retry.created
        assert any(r["rule"] == "duplicates" for r in repeat.reasons)
        assert not any(r["rule"] == "duplicates" for r in first.reasons)
        assert session.scalar(select(func.count()).select_from(CommentRow)) == 3


def test_a_faulty_comment_fails_alone(database_url: str) -> None:
    def strict_profiles(council: str):  # type: ignore[no-untyped-def]
        if council == "nowhere":
            raise KeyError(council)
        return profile_by_name(council)

    batch = [pending("hello", "f1"), pending("hi", "f2", council="nowhere"), pending("hey?", "f3")]
    with sessions(database_url)() as session:
        ok1, bad, ok2 = service.record_many(session, batch, strict_profiles, now=datetime.now(UTC))
        assert isinstance(bad, KeyError)
        assert isinstance(ok1, StoredResult) and isinstance(ok2, StoredResult)
        stored = set(session.scalars(select(CommentRow.external_id)))
        assert stored == {"f1", "f3"}


def test_a_batch_stored_again_is_a_retry(database_url: str) -> None:
    batch = [pending("you idiot", "a1"), pending("what time is the tip open?", "a2")]
    with sessions(database_url)() as session:
        before = service.record_many(session, batch, profiles, now=datetime.now(UTC))
        again = service.record_many(session, batch, profiles, now=datetime.now(UTC))
        for old, new in zip(before, again, strict=True):
            assert isinstance(old, StoredResult) and isinstance(new, StoredResult)
            assert new.id == old.id and not new.created
        assert session.scalar(select(func.count()).select_from(CommentRow)) == 2
        queued = session.scalar(select(func.count()).select_from(ReviewItemRow))
        # a person must look, or a resident is owed a reply (the respond queue)
        assert queued == sum(o.needs_review or o.action == "respond" for o in before if isinstance(o, StoredResult))


def test_automatic_warnings_count_up_within_a_batch(database_url: str) -> None:
    """Profiles that warn automatically: every warning in a batch is counted and audited."""
    batch = [pending(f"you idiot {n}", f"w{n}", council=council) for n in range(3) for council in ("swale", "ashfield")]
    with sessions(database_url)() as session:
        outcomes = service.record_many(session, batch, profiles, now=datetime.now(UTC))
        assert all(isinstance(o, StoredResult) for o in outcomes)
        warned = [
            o for o in outcomes if isinstance(o, StoredResult) and "warn_author" in o.flags and not o.needs_review
        ]
        audited = session.scalar(
            select(func.count()).select_from(AuditEventRow).where(AuditEventRow.kind == "author_warned")
        )
        assert audited == len(warned) > 0
        total = session.scalar(select(func.coalesce(func.sum(AuthorRow.warnings), 0)))
        assert total == len(warned)


def test_a_batch_decides_as_one_by_one_would(database_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Warnings then a block for a repeat offender, repeats, retries: the same with group commit."""
    councils = ("swale", "ashfield", "lewes-eastbourne", "district-001")
    batch = [pending(f"you idiot {n % 3}", f"e{n}", council=c) for n in range(4) for c in councils]
    batch += [pending("you idiot 0", "e0", council="swale")]
    now = datetime.now(UTC)
    with sessions(database_url)() as session:
        together = service.record_many(session, batch, profiles, now=now)
    with sessions(f"sqlite:///{tmp_path / 'alone.db'}")() as session:
        alone = [service.record_one(session, p, profiles, now=now) for p in batch]

    def seen(o: object) -> tuple:
        assert isinstance(o, StoredResult)
        return o.action, tuple(o.flags), o.needs_review, o.created

    assert [seen(o) for o in together] == [seen(o) for o in alone]
    assert "block_author" in seen(together[8])[1]  # swale's third offence
