"""The webhook load run's deliveries: distinct comments on a Page, an Instagram account and an X
account, a share of them re-sent, each signed as Meta or X signs it."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass

from triage.connectors import sample_payloads
from triage.connectors.signatures import meta_signature, x_signature

SECRETS = {"TRIAGE_META_APP_SECRET": "load-meta-secret", "TRIAGE_X_CONSUMER_SECRET": "load-x-secret"}
ACCOUNTS = {"facebook": ("PAGE1", "FB_TOKEN"), "instagram": ("IG1", "IG_TOKEN"), "x": ("X1", "X_TOKEN")}
TEXTS = [
    "When is the green bin collection in Faversham this week?",
    "You are an idiot",
    "Lovely photo of the seafront",
    "There's a massive pothole on Station Road, please fix it",
    "you lot are useless pricks",
    "Thank you to the team at the leisure centre",
]


@dataclass(frozen=True)
class Delivery:
    source: str  # meta | x
    body: bytes
    object_id: str
    resent: str = ""  # "" for the first delivery, else "identical" or "reserialised"


def _payload(n: int, run: str) -> tuple[str, str, dict]:  # type: ignore[type-arg]
    """Comment n: its own author and post, so the rules see no repeats or spam waves (the run
    measures delivery, not the rules)."""
    object_id, text, author = f"{run}{n}", f"{TEXTS[n % len(TEXTS)]} {n}", f"author{n}"
    platform = ("facebook", "instagram", "x")[n % 3]
    if platform == "x":
        payload = sample_payloads.x_reply(tweet_id=object_id, text=f"@council {text}")
        payload["tweet_create_events"][0] |= {"user": {"id_str": author}, "in_reply_to_status_id_str": f"post{n}"}
        return "x", object_id, payload
    if platform == "instagram":
        payload = sample_payloads.instagram_comment(comment_id=object_id, text=text)
        value = payload["entry"][0]["changes"][0]["value"]
        value["from"], value["media"]["id"] = {"id": author, "username": author}, f"post{n}"
        return "meta", object_id, payload
    payload = sample_payloads.page_comment(comment_id=object_id, text=text)
    value = payload["entry"][0]["changes"][0]["value"]
    value["from"], value["post_id"] = {"id": author, "name": "A Resident"}, f"post{n}"
    return "meta", object_id, payload


def deliveries(count: int, resend_share: float, run: str, seed: int = 7) -> list[Delivery]:
    """`count` deliveries in a shuffled order: first deliveries of distinct comments, and re-sends
    of some of them (half the same bytes, half the same event serialised again, as Meta does)."""
    rng = random.Random(seed)
    resends = round(count * resend_share)
    firsts = []
    for n in range(count - resends):
        source, object_id, payload = _payload(n, run)
        firsts.append((Delivery(source, json.dumps(payload).encode(), object_id), payload))
    out = [delivery for delivery, _ in firsts]
    for index in range(resends):
        first, payload = rng.choice(firsts)
        if index % 2:
            out.append(Delivery(first.source, first.body, first.object_id, "identical"))
        else:
            again = json.dumps(payload, indent=1).encode()  # same event, other bytes
            out.append(Delivery(first.source, again, first.object_id, "reserialised"))
    rng.shuffle(out)
    return out


def signed(delivery: Delivery) -> tuple[str, dict[str, str]]:
    if delivery.source == "x":
        signature = x_signature(delivery.body, SECRETS["TRIAGE_X_CONSUMER_SECRET"])
        return "/v1/platforms/x/webhook", {"x-twitter-webhooks-signature": signature}
    signature = meta_signature(delivery.body, SECRETS["TRIAGE_META_APP_SECRET"])
    return "/v1/platforms/meta/webhook", {"X-Hub-Signature-256": signature}
