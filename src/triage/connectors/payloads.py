"""Webhook payloads into platform events: Meta Page `feed` comments, Instagram `comments`, X replies."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


class PayloadError(ValueError):
    """A body that is not a webhook payload we understand (never includes the body itself)."""


@dataclass(frozen=True)
class CommentEvent:
    """One comment seen on a platform: added, edited or removed. `author_id` is the platform's user
    id (stable, and no name), `text` empty for removals."""

    platform: str  # facebook | instagram | x
    account_id: str  # the council's page, Instagram account or X user the comment is on
    verb: str  # add | edited | remove
    object_id: str  # the comment's id on the platform
    author_id: str
    post_id: str
    text: str
    created_at: datetime | None

    @property
    def external_id(self) -> str:
        """The stored comment's id: an edit is a new revision, keyed by its text so that a
        duplicate delivery of the same edit is stored once."""
        if self.verb != "edited":
            return self.object_id
        return f"{self.object_id}#edit-{hashlib.sha256(self.text.encode()).hexdigest()[:16]}"


def _time(value: Any) -> datetime | None:
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    if isinstance(value, str) and value:
        for fmt in ("%Y-%m-%dT%H:%M:%S%z", "%a %b %d %H:%M:%S %z %Y"):
            try:
                return datetime.strptime(value, fmt).astimezone(UTC)
            except ValueError:
                continue
    return None


def _json(body: bytes | str) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise PayloadError("the body is not JSON") from None
    if not isinstance(data, dict):
        raise PayloadError("the body is not a JSON object")
    return data


def meta_events(body: bytes | str) -> list[CommentEvent]:
    """Page `feed` changes with `item: comment` and Instagram `comments` changes; the rest of
    what a Page subscription sends (posts, reactions, shares) is not a comment and is skipped."""
    data = _json(body)
    kind = data.get("object")
    if kind not in ("page", "instagram"):
        raise PayloadError(f"unsupported webhook object {str(kind)[:40]!r}")
    events = []
    for entry in data.get("entry") or []:
        account = str(entry.get("id", ""))
        for change in entry.get("changes") or []:
            value = change.get("value") or {}
            if kind == "page" and change.get("field") == "feed" and value.get("item") == "comment":
                events.append(_page_comment(account, value))
            elif kind == "instagram" and change.get("field") == "comments":
                events.append(_instagram_comment(account, value, entry.get("time")))
    return events


def _page_comment(account: str, value: dict[str, Any]) -> CommentEvent:
    verb = value.get("verb")
    if verb not in ("add", "edited", "remove"):
        verb = "add" if verb == "edit" else str(verb)
    if verb not in ("add", "edited", "remove") or not value.get("comment_id"):
        raise PayloadError("a Page comment change without a known verb or comment_id")
    sender = value.get("from") or {}
    return CommentEvent(
        platform="facebook",
        account_id=account,
        verb=verb,
        object_id=str(value["comment_id"]),
        author_id=str(sender.get("id", "")),
        post_id=str(value.get("post_id", "")),
        text="" if verb == "remove" else str(value.get("message", "")),
        created_at=_time(value.get("created_time")),
    )


def _instagram_comment(account: str, value: dict[str, Any], when: Any) -> CommentEvent:
    if not value.get("id"):
        raise PayloadError("an Instagram comment change without an id")
    return CommentEvent(
        platform="instagram",
        account_id=account,
        verb="add",
        object_id=str(value["id"]),
        author_id=str((value.get("from") or {}).get("id", "")),
        post_id=str((value.get("media") or {}).get("id", "")),
        text=str(value.get("text", "")),
        created_at=_time(when),
    )


def x_events(body: bytes | str) -> list[CommentEvent]:
    """Account Activity replies to the subscribed account (its own posts skipped) and deletions."""
    data = _json(body)
    account = str(data.get("for_user_id", ""))
    if not account:
        raise PayloadError("an X activity payload without for_user_id")
    events = []
    for tweet in data.get("tweet_create_events") or []:
        user = str((tweet.get("user") or {}).get("id_str", ""))
        if str(tweet.get("in_reply_to_user_id_str") or "") != account or user == account:
            continue
        text = (tweet.get("extended_tweet") or {}).get("full_text") or tweet.get("text") or ""
        reply_to = str(tweet.get("in_reply_to_status_id_str") or "")
        created = _time(tweet.get("created_at"))
        events.append(_x_event(account, "add", str(tweet.get("id_str", "")), user, reply_to, str(text), created))
    for deleted in data.get("tweet_delete_events") or []:
        status = deleted.get("status") or {}
        events.append(_x_event(account, "remove", str(status.get("id", "")), str(status.get("user_id", ""))))
    if any(not event.object_id for event in events):
        raise PayloadError("an X event without a tweet id")
    return events


def _x_event(
    account: str, verb: str, tweet: str, user: str, post: str = "", text: str = "", created: datetime | None = None
) -> CommentEvent:
    return CommentEvent(
        platform="x",
        account_id=account,
        verb=verb,
        object_id=tweet,
        author_id=user,
        post_id=post,
        text=text,
        created_at=created,
    )
