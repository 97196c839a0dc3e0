"""The review page says, per item, what was done on the platform and when, and links to the comment."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select

from tests.api.conftest import Api, make_api
from tests.api.test_ui import sign_in
from tests.conftest import FakeScorer
from tests.connectors.conftest import TOKENS, add_connection, profile_for
from triage import review
from triage.connectors import inbound
from triage.connectors.fake_platform import FakePlatform
from triage.connectors.intake import Intake
from triage.connectors.platforms import HttpPlatforms
from triage.connectors.sample_payloads import body, page_comment
from triage.connectors.worker import Worker
from triage.storage import repo
from triage.storage.tables import UserRow


def test_the_item_page_shows_the_hide_on_the_platform_with_its_time_and_a_link(database_url: str) -> None:
    for api in make_api(database_url, FakeScorer(), connector_worker=False):  # this test runs the worker
        _check(api)


def _check(api: Api) -> None:
    state = api.client.app.state.triage  # type: ignore[attr-defined]
    sessions, now = state.sessions, datetime.now(UTC)
    with sessions() as session:
        add_connection(session, now=now)
        payload = page_comment(text="ring him on 07911 123456 you idiot?")  # personal information: a human decides
        inbound.receive(session, source="meta", body=body(payload), now=now)
    with FakePlatform() as fake:
        worker = Worker(
            sessions,
            HttpPlatforms(fake.meta_url, fake.x_url),
            Intake(lambda: api.scorer, profile_for, sessions),
            environ=dict(TOKENS),
        )
        worker.run_until_idle()
        with sessions() as session:
            [comment_id] = repo.comment_ids_by_external(session, {("swale", "facebook", "111_222")}).values()
            item = repo.review_item_of(session, comment_id=comment_id)
            mona = session.scalar(select(UserRow).where(UserRow.username == "mona"))
            actor = review.Actor(mona.id, mona.role, tuple(mona.councils))  # type: ignore[union-attr]
            decision = review.OfficerDecision(action="remove", reason_code="abuse")
            review.decide(session, item_id=item.id, actor=actor, decision=decision, profiles=profile_for, now=now)
        worker.run_until_idle()
    assert fake.hidden == {"111_222": True}
    sign_in(api, "mona")
    page = api.client.get(f"/review/{item.id}").text
    listed = re.search(r'<ul class="govuk-list" id="platform-actions">(.*?)</ul>', page, re.S)
    assert listed is not None and "Hidden on facebook, " in listed.group(1)
    assert now.strftime("%d %b %Y") in listed.group(1)
    assert 'href="https://www.facebook.com/111_222"' in page
