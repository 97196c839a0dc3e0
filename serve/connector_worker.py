"""The embedded connector worker: a thread beside the app that `triage serve` starts by default."""

from __future__ import annotations

import threading
from datetime import timedelta

from serve.state import AppState
from triage.connectors.intake import Intake
from triage.connectors.platforms import HttpPlatforms
from triage.connectors.worker import Worker


class EmbeddedWorker:
    def __init__(self, state: AppState) -> None:
        settings = state.settings
        intake = Intake(
            lambda: state.scorer,
            state.triage.profiles,
            state.sessions,
            duplicate_window=timedelta(hours=settings.duplicate_window_hours),
            timeout_s=settings.model_timeout_s,
        )
        platforms = HttpPlatforms(settings.meta_graph_url, settings.x_api_url)
        lease = timedelta(seconds=settings.connector_lease_seconds)
        self.worker = Worker(
            state.sessions, platforms, intake, max_attempts=settings.connector_max_attempts, lease=lease
        )
        self.stop_event, self.nudge = threading.Event(), threading.Event()
        self.poll_seconds = settings.connector_poll_seconds
        self.thread = threading.Thread(target=self._run, name="connector-worker", daemon=True)

    def _run(self) -> None:
        self.worker.run_forever(self.stop_event, self.poll_seconds, self.nudge)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stop_event.set()
        self.nudge.set()
        self.thread.join(timeout=10)
