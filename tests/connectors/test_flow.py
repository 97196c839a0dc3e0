"""Comments in against the fake platform: idempotency under duplicates, live and shadow, each
platform's hide call, hide-then-delete, edits, deletions and back-fill."""

from __future__ import annotations

from datetime import timedelta

from tests.connectors.conftest import Rig, deliver, outbox_rows
from triage.connectors.backfill import backfill
from triage.connectors.platforms import HttpPlatforms
from triage.connectors.sample_payloads import instagram_comment, page_comment, x_reply
from triage.storage import connections as store
from triage.storage import outbox as outbox_store
from triage.storage import repo


def test_abusive_comment_on_a_live_page_is_hidden_exactly_once_despite_duplicates(rig: Rig) -> None:
    rig.connect()
    for _ in range(3):  # Meta retries: the same delivery three times, and once more re-serialised
        deliver(rig, "meta", page_comment())
    deliver(rig, "meta", {**page_comment(), "extra": 1})
    rig.worker().run_until_idle()
    assert [c.path for c in rig.fake.writes("hide")] == ["/111_222"]
    assert rig.fake.hidden == {"111_222": True}
    with rig.sessions() as session:
        assert repo.comment_ids_by_external(session, {("swale", "facebook", "111_222")})
        assert [r.status for r in outbox_store.rows(session)] == ["done"]
        assert store.platform_comment(session, platform="facebook", object_id="111_222").state == "hidden"


def test_shadow_mode_sends_nothing_and_records_what_it_would_have_done(rig: Rig) -> None:
    rig.connect(mode="shadow")
    deliver(rig, "meta", page_comment())
    rig.worker().run_until_idle()
    assert rig.fake.writes() == []
    assert [(r.action, r.status) for r in outbox_rows(rig)] == [("hide", "shadow")]


def test_a_harmless_comment_queues_nothing(rig: Rig) -> None:
    rig.connect()
    deliver(rig, "meta", page_comment(text="When is the green bin collected"))
    rig.worker().run_until_idle()
    assert rig.fake.writes() == [] and outbox_rows(rig) == []


def test_instagram_and_x_use_their_own_hide_calls(rig: Rig) -> None:
    rig.connect("instagram", "IG1")
    rig.connect("x", "X1")
    deliver(rig, "meta", instagram_comment())
    deliver(rig, "x", x_reply())
    rig.worker().run_until_idle()
    calls = {(c.api, c.method, c.path, tuple(sorted(c.params.items()))) for c in rig.fake.writes()}
    assert calls == {
        ("meta", "POST", "/17865799348089039", (("hide", "true"),)),
        ("x", "PUT", "/2/tweets/1500/hidden", (("hidden", "true"),)),
    }
    assert all(c.authorization == "Bearer good-token" for c in rig.fake.calls)


def test_a_profile_that_deletes_hides_first_and_x_never_deletes(rig: Rig) -> None:
    rig.connect(council="ashfield")
    rig.connect("x", "X1", council="ashfield")
    deliver(rig, "meta", page_comment())
    deliver(rig, "x", x_reply())
    rig.worker().run_until_idle()
    assert [(c.api, c.method) for c in rig.fake.writes() if c.api == "meta"] == [("meta", "POST"), ("meta", "DELETE")]
    assert [c.method for c in rig.fake.writes() if c.api == "x"] == ["PUT"]


def test_an_allowed_comment_edited_into_abuse_is_caught_and_the_old_revision_leaves_the_queue(rig: Rig) -> None:
    rig.connect()
    deliver(rig, "meta", page_comment(text="Lovely park, thank you"))
    rig.worker().run_until_idle()
    assert rig.fake.writes() == []
    deliver(rig, "meta", page_comment(text="You are an idiot", verb="edited"))
    deliver(rig, "meta", page_comment(text="You are an idiot", verb="edited"))  # duplicate edit
    rig.worker().run_until_idle()
    assert len(rig.fake.writes("hide")) == 1
    with rig.sessions() as session:
        target = store.platform_comment(session, platform="facebook", object_id="111_222")
        assert target.revisions == 2 and target.state == "hidden"


def test_a_review_item_is_withdrawn_when_the_author_deletes_the_comment(rig: Rig) -> None:
    rig.connect()
    rig.scorer.fail = True  # the model is down: the comment goes to a human
    deliver(rig, "meta", page_comment(text="Anything"))
    rig.worker().run_until_idle()
    with rig.sessions() as session:
        comment_id = store.platform_comment(session, platform="facebook", object_id="111_222").comment_id
        assert repo.review_item_of(session, comment_id=comment_id).status == "open"
    deliver(rig, "meta", page_comment(verb="remove"))
    rig.worker().run_until_idle()
    with rig.sessions() as session:
        assert repo.review_item_of(session, comment_id=comment_id).status == "withdrawn"
        assert store.platform_comment(session, platform="facebook", object_id="111_222").state == "deleted"
    assert rig.fake.writes() == []


def test_backfill_pages_through_posts_and_comments_once(rig: Rig) -> None:
    rig.connect()
    rig.connect("x", "X1")
    stamp = "2026-03-10T09:00:00+0000"
    rig.fake.feed["PAGE1"] = [{"id": f"post{p}", "created_time": stamp} for p in range(3)]
    for p in range(3):
        rig.fake.comments[f"post{p}"] = [
            {
                "id": f"c{p}-{n}",
                "message": f"Post {p}: you idiot" if n == 0 else f"Nice {p}",
                "from": {"id": f"9{p}{n}"},
                "created_time": stamp,
            }
            for n in range(3)
        ]
    rig.fake.mentions["X1"] = [
        {
            "id": f"t{n}",
            "text": "hello",
            "author_id": "5",
            "in_reply_to_user_id": "X1",
            "created_at": "2026-03-10T09:00:00.000Z",
        }
        for n in range(3)
    ]
    platforms = HttpPlatforms(rig.fake.meta_url, rig.fake.x_url, clock=rig.clock)
    since = rig.clock() - timedelta(days=2)
    for _ in range(2):  # a second run (after an outage) stores nothing twice
        seen = backfill(
            rig.sessions, rig.intake, platforms, council="swale", since=since, now=rig.clock(), environ=rig.environ
        )
    assert sorted(seen.values()) == [3, 9]
    rig.worker().run_until_idle()
    assert sorted(c.path for c in rig.fake.writes("hide")) == ["/c0-0", "/c1-0", "/c2-0"]
    assert not any("elsewhere" in c.path for c in rig.fake.calls)
