"""PostgreSQL's statistics of the ingest tables kept current by the process that writes them
(triage.storage.table_statistics says why): checked every few hundred comments recorded, and analysed
in a thread of its own, so no batch waits for it."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from sqlalchemy.orm import Session

from triage.storage import table_statistics

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
        # The first comments recorded start a check: a restart after a bulk load needs one at once.
        self._since, self._enabled = every, True
        self._checking = threading.Lock()

    def recorded(self, count: int) -> None:
        """`count` more comments were stored; starts a check when enough have been."""
        self._since += count  # several recorder threads may count: a count lost now and then is harmless
        if not self._enabled or self._since < self.every or not self._checking.acquire(blocking=False):
            return
        self._since = 0
        try:
            self.thread = threading.Thread(target=self._check, name="planner-statistics", daemon=True)
            self.thread.start()
        except Exception as error:  # no thread to be had: the comments are stored all the same
            self._checking.release()
            log.warning("planner statistics not checked (%s)", type(error).__name__)

    def close(self, timeout_s: float = 5.0) -> None:
        """No more checks; waits a little for one under way (before its database is closed)."""
        self._enabled = False
        if self.thread is not None:
            self.thread.join(timeout=timeout_s)

    def _check(self) -> None:
        try:
            with self.sessions() as session:
                if not table_statistics.is_postgresql(session):
                    self._enabled = False
                    return
                analysed = table_statistics.refresh(session)
                session.commit()
            if analysed:
                log.info("planner statistics refreshed for %s", ", ".join(analysed))
        except Exception as error:  # never the recorder's problem: the next check tries again
            log.warning("planner statistics not refreshed (%s)", type(error).__name__)
        finally:
            self._checking.release()
