"""An officer reversing what the service did on its own: the platform action is taken back too."""

from __future__ import annotations

from tests.connectors.conftest import Rig, profile_for
from tests.connectors.payload_samples import body, page_comment
from triage import review
from triage.connectors import inbound
from triage.review.automatic import reverse
from triage.storage import connections as store
from triage.storage import repo
from triage.storage.accounts import create_user


def test_an_officer_reversing_an_automatic_removal_unhides_it(rig: Rig) -> None:
    rig.connect()
    with rig.sessions() as session:
        inbound.receive(session, source="meta", body=body(page_comment()), now=rig.clock())  # abusive
    rig.worker().run_until_idle()
    assert rig.fake.hidden == {"111_222": True}  # swale removes it on its own
    with rig.sessions() as session:
        user = create_user(
            session,
            username="olive",
            password="correct horse battery",
            role="manager",
            councils=["swale"],
            now=rig.clock(),
        )
        comment_id = store.platform_comment(session, platform="facebook", object_id="111_222").comment_id
        automatic = repo.decisions_of(session, comment_id=comment_id)[-1]
        actor = review.Actor(user_id=user.id, role="manager", councils=("swale",))
        reverse(session, decision_id=automatic.id, actor=actor, now=rig.clock(), profiles=profile_for)
    rig.worker().run_until_idle()
    assert rig.fake.hidden == {"111_222": False}
