"""Back-fill: page through a connected account's recent comments and ingest them like webhooks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from itertools import islice

from sqlalchemy.orm import Session

from triage.connectors import connections
from triage.connectors.inbound import ingest_events
from triage.connectors.intake import Intake
from triage.connectors.platforms import PlatformApi
from triage.storage import connections as store

BATCH = 50


def backfill(
    sessions: Callable[[], Session],
    intake: Intake,
    platforms: PlatformApi,
    *,
    council: str,
    since: datetime,
    now: datetime,
    environ: dict[str, str] | None = None,
) -> dict[int, int]:
    """Ingest comments since `since` for each of the council's connections; idempotent, so it is
    safe after an outage that webhooks partly covered. Returns comments seen per connection."""
    with sessions() as session:
        rows = [row for row in store.connections(session, council=council) if row.status != "removed"]
        jobs = [(row.id, row.platform, row.account_id, connections.read_token(row, environ)) for row in rows]
    seen: dict[int, int] = {}
    for connection_id, platform, account, token in jobs:
        events = platforms.recent_comments(platform, account, since, token)
        seen[connection_id] = 0
        while chunk := list(islice(events, BATCH)):
            seen[connection_id] += ingest_events(sessions, intake, chunk, now)
    return seen
