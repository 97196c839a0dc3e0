"""PostgreSQL's statistics of the ingest tables kept current by the process that writes them
(triage.storage.statistics says why): checked every few hundred comments recorded, and analysed
in a thread of its own, so no batch waits for it."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from sqlalchemy.orm import Session

from triage.storage import statistics

log = logging.getLogger("triage.service")
# Comments recorded by this process between two checks: a check is one small query.
CHECK_EVERY = 500


class StatisticsKeeper:
    """Counts the comments recorded and, every `every`, analyses the ingest tables that need it.
    One check at a time; a failure is logged by its type and tried again at the next count. Does
    nothing on SQLite, whose planner keeps no statistics here."""

    def __init__(self, sessions: Callable[[], Session], every: int = CHECK_EVERY) -> None:
        self.sessions, self.every = sessions, every
        self.thread: threading.Thread | None = None  # the latest check, for tests and shutdown
        self._since, self._enabled = 0, True
        self._checking = threading.Lock()

    def recorded(self, count: int) -> None:
        """`count` more comments were stored; starts a check when enough have been."""
        self._since += count  # several recorder threads may count: a count lost now and then is harmless
        if not self._enabled or self._since < self.every or not self._checking.acquire(blocking=False):
            return
        self._since = 0
        self.thread = threading.Thread(target=self._check, name="planner-statistics", daemon=True)
        self.thread.start()

    def _check(self) -> None:
        try:
            with self.sessions() as session:
                if not statistics.is_postgresql(session):
                    self._enabled = False
                    return
                analysed = statistics.refresh(session)
                session.commit()
            if analysed:
                log.info("planner statistics refreshed for %s", ", ".join(analysed))
        except Exception as error:  # never the recorder's problem: the next check tries again
            log.warning("planner statistics not refreshed (%s)", type(error).__name__)
        finally:
            self._checking.release()
