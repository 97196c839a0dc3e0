"""How long to wait before trying again: exponential back-off with jitter, and the platforms' own
rate-limit answers (Retry-After, Meta's X-Business-Use-Case-Usage, X's x-rate-limit-reset)."""

from __future__ import annotations

import json
import random
from collections.abc import Mapping
from datetime import datetime
from email.utils import parsedate_to_datetime

BASE_SECONDS = 2.0
CAP_SECONDS = 900.0


def backoff_seconds(attempt: int, rng: random.Random) -> float:
    """Equal jitter: between half and all of base * 2^(attempt-1), capped; never a tight loop and
    never several workers retrying in step."""
    ceiling = min(CAP_SECONDS, BASE_SECONDS * 2 ** max(attempt - 1, 0))
    return rng.uniform(ceiling / 2, ceiling)


def _retry_after(value: str | None, now: datetime) -> float:
    if not value:
        return 0.0
    if value.strip().isdigit():
        return float(value.strip())
    try:
        return max(0.0, (parsedate_to_datetime(value) - now).total_seconds())
    except (TypeError, ValueError):
        return 0.0


def _meta_usage(value: str | None) -> float:
    """Meta's per-business usage: minutes until access is regained, per business and type."""
    if not value:
        return 0.0
    try:
        usage = json.loads(value)
        entries = [e for per_business in usage.values() for e in per_business]
        return 60.0 * max((float(e.get("estimated_time_to_regain_access") or 0) for e in entries), default=0.0)
    except (ValueError, AttributeError, TypeError):
        return 0.0


def _x_reset(headers: Mapping[str, str], now: datetime) -> float:
    reset = headers.get("x-rate-limit-reset", "")
    if not reset.isdigit():
        return 0.0
    return max(0.0, float(reset) - now.timestamp())


def rate_limit_wait(headers: Mapping[str, str], now: datetime) -> float:
    """The longest wait any of the platform's rate-limit headers asks for (0 when none does)."""
    lowered = {key.lower(): value for key, value in headers.items()}
    return max(
        _retry_after(lowered.get("retry-after"), now),
        _meta_usage(lowered.get("x-business-use-case-usage")),
        _x_reset(lowered, now),
    )
