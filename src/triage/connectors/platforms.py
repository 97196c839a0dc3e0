"""The platforms' APIs over httpx: hide, unhide, delete, reply and recent comments, each answer
sorted into what the worker does next. Tokens travel in the Authorization header, never a URL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import httpx

from triage.connectors.backoff import rate_limit_wait
from triage.connectors.payloads import CommentEvent, _time, _x_event

# Meta error codes (Graph API "Handling errors"): token, permission, rate limits, missing objects.
META_TOKEN = {102, 190, 463, 467}
META_RATE = {4, 17, 32, 613, *range(80001, 80015)}
META_GONE_SUBCODES = {33}


@dataclass(frozen=True)
class Answer:
    """What a call came to: ok | gone | retry | rate_limited | token_invalid | permission_missing |
    rejected; `detail` names the status and error code only (no platform text: it may quote users)."""

    outcome: str
    status: int = 0
    wait_s: float = 0.0
    detail: str = ""


class PlatformApi(Protocol):
    def perform(self, platform: str, action: str, object_id: str, token: str, reply_text: str | None) -> Answer: ...

    def recent_comments(
        self, platform: str, account_id: str, since: datetime, token: str
    ) -> Iterator[CommentEvent]: ...


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def meta_answer(response: httpx.Response, now: datetime) -> Answer:
    status, wait = response.status_code, rate_limit_wait(response.headers, now)
    error = _json(response).get("error") or {}
    code, subcode = int(error.get("code") or 0), int(error.get("error_subcode") or 0)
    detail = f"HTTP {status}" + (f", error {code}/{subcode}" if code else "")
    if status < 300:
        return Answer("ok", status)
    if status == 429 or code in META_RATE:
        return Answer("rate_limited", status, wait, detail)
    if code in META_TOKEN or subcode in META_TOKEN or status == 401:
        return Answer("token_invalid", status, 0.0, detail)
    if code == 10 or 200 <= code <= 299 or status == 403:
        return Answer("permission_missing", status, 0.0, detail)
    if status == 404 or subcode in META_GONE_SUBCODES:
        return Answer("gone", status, 0.0, detail)
    if status >= 500 or code in (1, 2):
        return Answer("retry", status, wait, detail)
    return Answer("rejected", status, 0.0, detail)


def x_answer(response: httpx.Response, now: datetime) -> Answer:
    status, wait = response.status_code, rate_limit_wait(response.headers, now)
    detail = f"HTTP {status}"
    if status < 300:
        return Answer("ok", status)
    outcomes = {429: "rate_limited", 401: "token_invalid", 403: "permission_missing", 404: "gone"}
    if status in outcomes:
        return Answer(outcomes[status], status, wait if status == 429 else 0.0, detail)
    return Answer("retry" if status >= 500 else "rejected", status, wait, detail)


class HttpPlatforms:
    """Both APIs through one httpx client; base URLs come from settings."""

    def __init__(self, meta_url: str, x_url: str, client: httpx.Client | None = None, clock: Any = None) -> None:
        self.meta_url, self.x_url = meta_url.rstrip("/"), x_url.rstrip("/")
        self.http = client or httpx.Client(timeout=httpx.Timeout(10.0))
        self.clock = clock or (lambda: datetime.now().astimezone())

    def perform(self, platform: str, action: str, object_id: str, token: str, reply_text: str | None) -> Answer:
        headers = {"Authorization": f"Bearer {token}"}
        try:
            if platform == "x":
                return x_answer(self._x(action, object_id, reply_text, headers), self.clock())
            return meta_answer(self._meta(platform, action, object_id, reply_text, headers), self.clock())
        except httpx.HTTPError as error:
            return Answer("retry", 0, 0.0, f"network: {type(error).__name__}")

    def _meta(
        self, platform: str, action: str, object_id: str, text: str | None, headers: dict[str, str]
    ) -> httpx.Response:
        url = f"{self.meta_url}/{object_id}"
        hide_field = "is_hidden" if platform == "facebook" else "hide"
        if action in ("hide", "unhide"):
            return self.http.post(url, data={hide_field: str(action == "hide").lower()}, headers=headers)
        if action == "delete":
            return self.http.delete(url, headers=headers)
        edge = "comments" if platform == "facebook" else "replies"
        return self.http.post(f"{url}/{edge}", data={"message": text or ""}, headers=headers)

    def _x(self, action: str, object_id: str, text: str | None, headers: dict[str, str]) -> httpx.Response:
        if action in ("hide", "unhide"):
            body = {"hidden": action == "hide"}
            return self.http.put(f"{self.x_url}/2/tweets/{object_id}/hidden", json=body, headers=headers)
        if action == "reply":
            body2 = {"text": text or "", "reply": {"in_reply_to_tweet_id": object_id}}
            return self.http.post(f"{self.x_url}/2/tweets", json=body2, headers=headers)
        raise ValueError("X has no delete of others' replies: only hide")

    def recent_comments(self, platform: str, account_id: str, since: datetime, token: str) -> Iterator[CommentEvent]:
        """Comments since a date, page by page (cursors only: a `next` URL is never followed, so the
        token goes to the configured host alone)."""
        headers = {"Authorization": f"Bearer {token}"}
        if platform == "x":
            yield from self._x_mentions(account_id, since, headers)
            return
        posts_edge, fields = ("feed", "id,created_time") if platform == "facebook" else ("media", "id,timestamp")
        for post in self._pages(f"{self.meta_url}/{account_id}/{posts_edge}", {"fields": fields}, headers):
            created = _time(post.get("created_time") or post.get("timestamp"))
            if platform == "facebook" or created is None or created >= since:
                yield from self._comments(platform, account_id, str(post["id"]), since, headers)

    def _comments(
        self, platform: str, account: str, post: str, since: datetime, headers: dict[str, str]
    ) -> Iterator[CommentEvent]:
        fields = "id,message,from,created_time" if platform == "facebook" else "id,text,from,timestamp"
        for item in self._pages(f"{self.meta_url}/{post}/comments", {"fields": fields}, headers):
            created = _time(item.get("created_time") or item.get("timestamp"))
            if created is not None and created < since:
                continue
            text = str(item.get("message") or item.get("text") or "")
            author = str((item.get("from") or {}).get("id", ""))
            yield CommentEvent(platform, account, "add", str(item["id"]), author, post, text, created)

    def _pages(self, url: str, params: dict[str, str], headers: dict[str, str]) -> Iterator[dict[str, Any]]:
        while True:
            response = self.http.get(url, params=params, headers=headers)
            answer = meta_answer(response, self.clock())
            if answer.outcome != "ok":
                raise BackfillError(answer)
            data = _json(response)
            yield from data.get("data") or []
            after = ((data.get("paging") or {}).get("cursors") or {}).get("after")
            if not after or not (data.get("paging") or {}).get("next"):
                return
            params = {**params, "after": str(after)}

    def _x_mentions(self, account: str, since: datetime, headers: dict[str, str]) -> Iterator[CommentEvent]:
        params = {
            "start_time": since.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "max_results": "100",
            "tweet.fields": "author_id,created_at,in_reply_to_user_id,referenced_tweets",
        }
        while True:
            response = self.http.get(f"{self.x_url}/2/users/{account}/mentions", params=params, headers=headers)
            answer = x_answer(response, self.clock())
            if answer.outcome != "ok":
                raise BackfillError(answer)
            data = _json(response)
            for tweet in data.get("data") or []:
                if str(tweet.get("in_reply_to_user_id")) == account and str(tweet.get("author_id")) != account:
                    replied = [r["id"] for r in tweet.get("referenced_tweets") or [] if r.get("type") == "replied_to"]
                    yield _x_event(
                        account,
                        "add",
                        str(tweet["id"]),
                        str(tweet.get("author_id", "")),
                        str(replied[0]) if replied else "",
                        str(tweet.get("text", "")),
                        _time(tweet.get("created_at")),
                    )
            token = (data.get("meta") or {}).get("next_token")
            if not token:
                return
            params = {**params, "pagination_token": str(token)}


class BackfillError(RuntimeError):
    """A page of a back-fill the platform refused."""

    def __init__(self, answer: Answer) -> None:
        super().__init__(f"the platform answered {answer.outcome} ({answer.detail})")
        self.answer = answer
