"""The app's life: what start-up sets aside for the process's life is given back at shutdown."""

from __future__ import annotations

import gc
import weakref

from tests.api.conftest import make_api
from tests.conftest import FakeScorer


def test_a_stopped_app_can_be_collected(database_url: str) -> None:
    # Start-up freezes what lives then out of the collector's passes; shutdown must unfreeze it,
    # or every app a process ever started (tests start hundreds) stays in memory with its model.
    apis = make_api(database_url, FakeScorer())
    app = weakref.ref(next(apis).client.app)
    next(apis, None)
    gc.collect()
    assert app() is None
