"""Signatures, handshakes and the platforms' payload shapes."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from triage.connectors.payloads import PayloadError, meta_events, x_events
from triage.connectors.sample_payloads import body, instagram_comment, page_comment, x_reply
from triage.connectors.signatures import (
    HandshakeRefused,
    meta_handshake,
    meta_signature_ok,
    x_crc_response,
    x_signature,
    x_signature_ok,
)

SECRET = "app-secret-for-tests"


def meta_sign(raw: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


def test_meta_signature_good_bad_missing_and_replayed() -> None:
    raw = body(page_comment())
    assert meta_signature_ok(raw, meta_sign(raw), SECRET)
    assert not meta_signature_ok(raw, meta_sign(raw, "another-secret"), SECRET)
    assert not meta_signature_ok(raw, None, SECRET)
    assert not meta_signature_ok(raw, "sha1=" + "0" * 40, SECRET)
    other = body(page_comment(text="something else"))
    assert not meta_signature_ok(raw, meta_sign(other), SECRET)  # a replayed body under another signature
    assert not meta_signature_ok(raw, meta_sign(raw), "")  # no secret configured refuses everything


def test_x_signature_and_crc_follow_the_documented_recipe() -> None:
    raw = body(x_reply())
    expected = "sha256=" + base64.b64encode(hmac.new(SECRET.encode(), raw, hashlib.sha256).digest()).decode()
    assert x_signature(raw, SECRET) == expected
    assert x_signature_ok(raw, expected, SECRET)
    assert not x_signature_ok(raw, x_signature(body(x_reply(text="other")), SECRET), SECRET)
    assert not x_signature_ok(raw, None, SECRET) and not x_signature_ok(raw, expected, "")
    token_answer = base64.b64encode(hmac.new(SECRET.encode(), b"crc123", hashlib.sha256).digest()).decode()
    assert x_crc_response("crc123", SECRET) == {"response_token": "sha256=" + token_answer}
    with pytest.raises(HandshakeRefused):
        x_crc_response("crc123", "")


def test_meta_handshake() -> None:
    assert meta_handshake("subscribe", "verify-me", "1158201444", "verify-me") == "1158201444"
    for mode, token, configured in (
        ("subscribe", "wrong", "verify-me"),
        ("unsubscribe", "verify-me", "verify-me"),
        ("subscribe", "", ""),
    ):
        with pytest.raises(HandshakeRefused):
            meta_handshake(mode, token, "1", configured)


def test_page_comment_edit_and_delete_shapes() -> None:
    [added] = meta_events(body(page_comment()))
    assert (added.platform, added.account_id, added.verb, added.object_id) == ("facebook", "PAGE1", "add", "111_222")
    assert (added.author_id, added.post_id, added.text) == ("4455", "111_999", "You are an idiot")
    assert added.created_at is not None and added.external_id == "111_222"
    [edited] = meta_events(body(page_comment(text="Edited", verb="edited")))
    assert edited.verb == "edited" and edited.external_id.startswith("111_222#edit-")
    assert edited.external_id != meta_events(body(page_comment(text="Edited again", verb="edited")))[0].external_id
    [removed] = meta_events(body(page_comment(verb="remove")))
    assert removed.verb == "remove" and removed.text == ""


def test_instagram_comment_shape() -> None:
    [event] = meta_events(body(instagram_comment()))
    assert (event.platform, event.account_id, event.object_id, event.post_id) == (
        "instagram",
        "IG1",
        "17865799348089039",
        "123123123",
    )
    assert event.author_id == "232323232" and event.text == "You are an idiot"


def test_other_page_changes_are_not_comments() -> None:
    reaction = {
        "object": "page",
        "entry": [
            {
                "id": "P",
                "time": 1,
                "changes": [{"field": "feed", "value": {"item": "reaction", "verb": "add", "reaction_type": "like"}}],
            }
        ],
    }
    assert meta_events(body(reaction)) == []


def test_x_replies_to_the_account_only_and_deletions() -> None:
    [reply] = x_events(body(x_reply()))  # the account's own tweet in the same delivery is skipped
    assert (reply.platform, reply.object_id, reply.author_id, reply.post_id) == ("x", "1500", "777", "1400")
    payload = {
        "for_user_id": "X1",
        "tweet_delete_events": [{"status": {"id": "1500", "user_id": "777"}, "timestamp_ms": "1773136745000"}],
    }
    [deleted] = x_events(body(payload))
    assert deleted.verb == "remove" and deleted.object_id == "1500"


@pytest.mark.parametrize("raw", [b"not json", b"[]", b'{"object": "user"}', b'{"tweet_create_events": []}'])
def test_unusable_bodies_are_refused_with_a_typed_error(raw: bytes) -> None:
    with pytest.raises(PayloadError):
        (x_events if b"tweet" in raw else meta_events)(raw)
