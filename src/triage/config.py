"""Settings: one class, read from TRIAGE_* environment variables through a cached getter."""

from __future__ import annotations

import functools
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRET = "change-me-in-production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TRIAGE_", env_file=".env", extra="ignore")

    environment: str = Field(default="development", description="development, test or production")
    database_url: str = "sqlite:///triage.db"
    model_path: Path = Path("models/minilm-policy")
    # Council id -> profile id; a council not listed uses the profile of the same id, else default.
    council_profiles: dict[str, str] = {"lewes": "lewes-eastbourne", "eastbourne": "lewes-eastbourne"}
    default_profile: str = "default"
    secret_key: str = PLACEHOLDER_SECRET
    max_body_bytes: int = 1_000_000
    rate_per_minute: int = 6000
    duplicate_window_hours: int = 24
    retention_days: int = 365
    batch_max_size: int = 32
    # Measured (docs/BENCHMARKS.md): 4 ms gave 216 comments/s over HTTP, 12 ms 238, 25 ms 251.
    batch_max_wait_ms: float = 15.0
    model_timeout_s: float = 5.0
    # ONNX Runtime threads busy-wait between runs: off in the server, where they steal the cores
    # the event loop and the database need (docs/BENCHMARKS.md).
    model_spin: bool = False
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

    @model_validator(mode="after")
    def _no_placeholder_secret_in_production(self) -> Settings:
        if self.environment == "production" and self.secret_key == PLACEHOLDER_SECRET:
            raise ValueError("TRIAGE_SECRET_KEY must be set to a real secret in production")
        return self

    def profile_for(self, council: str) -> str:
        return self.council_profiles.get(council, council)


@functools.cache
def get_settings() -> Settings:
    return Settings()
