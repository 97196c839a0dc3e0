"""Settings: one class, read from TRIAGE_* environment variables through a cached getter."""

from __future__ import annotations

import functools
import os
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# The shipped bundle, found from the checkout this package runs from (src/triage -> the repo root),
# so `triage serve` started in any folder serves it rather than referring every comment to a human.
SHIPPED_MODEL = Path(__file__).resolve().parents[2] / "models" / "minilm-policy"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TRIAGE_", env_file=".env", extra="ignore")

    environment: str = Field(default="development", description="development, test or production")
    database_url: str = "sqlite:///triage.db"
    model_path: Path = SHIPPED_MODEL
    # Council id -> profile id; a council not listed uses the profile of the same id, else default.
    council_profiles: dict[str, str] = {"lewes": "lewes-eastbourne", "eastbourne": "lewes-eastbourne"}
    default_profile: str = "default"
    # Empty: the secret kept in `secret_key_file` (default beside the SQLite database), created on
    # first run outside production. A value given here is checked (triage.secret_key.check_secret).
    secret_key: str = Field(default="", repr=False)
    secret_key_file: Path | None = None
    max_body_bytes: int = 1_000_000
    rate_per_minute: int = 6000
    duplicate_window_hours: int = 24
    # The first run's admin password is written here (mode 0600), never to the log.
    admin_password_file: Path = Path(".triage/admin-password")
    # A locked SQLite file answers 503 after this wait instead of hanging a request.
    database_busy_timeout_s: float = Field(default=5.0, gt=0, le=60)
    # Half the loadtest's 32 requests in flight: one half is scored while the other is stored and
    # answered, where 32 leaves the model idle during both (docs/BENCHMARKS.md, session 9).
    batch_max_size: int = 16
    # Measured (docs/BENCHMARKS.md): 4 ms gave 216 comments/s over HTTP, 12 ms 238, 25 ms 251.
    batch_max_wait_ms: float = 15.0
    model_timeout_s: float = 5.0
    # ONNX Runtime threads busy-wait between runs: off in the server, where they steal the cores
    # the event loop and the database need (docs/BENCHMARKS.md).
    model_spin: bool = False
    # Batches the server scores at once, each with its share of ONNX Runtime's threads (see
    # model_threads). Two lanes (with batches of 16) matched one over HTTP on 2 shared cores
    # while costing the recorder more a comment (smaller group commits), so one is the default
    # (docs/BENCHMARKS.md, session 7); more lanes also keep scoring while one batch hangs.
    model_lanes: int = Field(default=1, ge=1, le=16)
    # The server's model in processes of its own, one a lane (triage.service.model_process): its
    # Python no longer waits for the interpreter lock the event loop and the recorder hold, 11 to
    # 31% more comments a second over HTTP (docs/BENCHMARKS.md, session 10), and a crash in ONNX
    # Runtime fails one batch safe instead of stopping the server.
    model_process: bool = True
    # Group commit: comments arriving together are stored in one transaction.
    record_max_batch: int = 64
    record_max_wait_ms: float = 2.0
    review_claim_minutes: int = 10
    # A revoked API key stops working on running servers within this many seconds.
    api_key_cache_seconds: float = 5.0
    # Platform connectors (docs/CONNECTORS.md). Empty secrets refuse every webhook: never fail open.
    meta_graph_url: str = "https://graph.facebook.com/v21.0"
    x_api_url: str = "https://api.x.com"
    meta_app_secret: str = ""
    meta_verify_token: str = ""
    x_consumer_secret: str = ""
    # `triage serve` runs the connector worker in-process (the embedded default); off when a
    # separate `triage worker` runs beside several API replicas.
    connector_worker: bool = True
    connector_max_attempts: int = 8
    connector_poll_seconds: float = 2.0
    # How long a worker holds a claimed delivery or action; after it, another worker takes over
    # (the holder died). Longer than any one delivery batch or platform call takes.
    connector_lease_seconds: float = Field(default=120.0, ge=1.0)

    # Sessions: signed out after this long without a request, and this long after signing in.
    session_idle_minutes: int = Field(default=30, ge=1)
    session_absolute_hours: int = Field(default=12, ge=1)
    # Failed sign-ins allowed per moving window (`limits` notation), per account and per address.
    sign_in_account_limit: str = "5/15 minutes"
    sign_in_address_limit: str = "30/15 minutes"
    # Shared state for several server processes: rate limits, sign-in throttles, the API key
    # cache. Unset: kept in each process (the embedded default).
    redis_url: str | None = Field(default=None, repr=False)

    @model_validator(mode="after")
    def _no_known_or_weak_secret(self) -> Settings:
        from triage.secret_key import check_secret

        if self.secret_key:
            check_secret(self.secret_key)  # in every environment
        return self

    def signing_secret(self) -> str:
        """The cookie-signing secret; reads (or on first run writes) the kept secret file."""
        from triage.secret_key import resolve_secret

        return resolve_secret(
            secret_key=self.secret_key,
            secret_file=self.secret_key_file,
            database_url=self.database_url,
            environment=self.environment,
        )

    def model_threads(self) -> int:
        """ONNX Runtime's threads for each scoring lane: the cores this process may use but one (the
        event loop's and the recorder's), shared out over the lanes, at least one. On 2 cores two
        threads cost a third more CPU a comment than one: they wait on each other (BENCHMARKS.md)."""
        return max(1, (usable_cores() - 1) // self.model_lanes)

    def profile_for(self, council: str) -> str:
        return self.council_profiles.get(council, council)


def usable_cores() -> int:
    """The cores this process may run on (its affinity where the system tells it)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


@functools.cache
def get_settings() -> Settings:
    return Settings()
