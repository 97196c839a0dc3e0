"""Webhook bodies in the shapes Meta's and X's documentation give (ids and text invented)."""

from __future__ import annotations

import json
from typing import Any


def page_comment(
    comment_id: str = "111_222", text: str = "You are an idiot", verb: str = "add", page: str = "PAGE1"
) -> dict[str, Any]:
    value: dict[str, Any] = {
        "from": {"id": "4455", "name": "A Resident"},
        "post": {
            "status_type": "mobile_status_update",
            "is_published": True,
            "updated_time": "2026-03-10T09:59:00+0000",
            "permalink_url": "https://www.facebook.com/111/posts/222",
            "promotion_status": "inactive",
            "id": "111_999",
        },
        "post_id": "111_999",
        "comment_id": comment_id,
        "created_time": 1773136740,
        "item": "comment",
        "parent_id": "111_999",
        "verb": verb,
    }
    if verb != "remove":
        value["message"] = text
    else:
        value.pop("post")
    return {
        "object": "page",
        "entry": [{"id": page, "time": 1773136745, "changes": [{"field": "feed", "value": value}]}],
    }


def instagram_comment(
    comment_id: str = "17865799348089039", text: str = "You are an idiot", account: str = "IG1"
) -> dict[str, Any]:
    value = {
        "from": {"id": "232323232", "username": "someone"},
        "media": {"id": "123123123", "media_product_type": "FEED"},
        "id": comment_id,
        "parent_id": "1231231234",
        "text": text,
    }
    return {
        "object": "instagram",
        "entry": [{"id": account, "time": 1773136745, "changes": [{"field": "comments", "value": value}]}],
    }


def x_reply(tweet_id: str = "1500", text: str = "@council you idiot", account: str = "X1") -> dict[str, Any]:
    tweet = {
        "created_at": "Tue Mar 10 09:59:00 +0000 2026",
        "id_str": tweet_id,
        "text": text,
        "in_reply_to_status_id_str": "1400",
        "in_reply_to_user_id_str": account,
        "user": {"id_str": "777", "screen_name": "someone"},
    }
    own = dict(tweet, id_str="1501", user={"id_str": account, "screen_name": "council"})
    return {"for_user_id": account, "tweet_create_events": [tweet, own]}


def body(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload).encode()
