"""Prometheus metrics: requests, latencies, decisions by action, model errors (process-wide); the
queue depth per council is read per request, for the caller's councils only (routes/health.py)."""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Histogram


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "triage_requests_total", "HTTP requests", ["route", "method", "status"], registry=self.registry
        )
        self.latency = Histogram(
            "triage_request_seconds",
            "HTTP request latency",
            ["route"],
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
        )
        self.decisions = Counter("triage_decisions_total", "decisions by action", ["action"], registry=self.registry)
        self.model_errors = Counter(
            "triage_model_errors_total", "comments the model could not score", registry=self.registry
        )
        # The micro-batchers (scorer, recorder): how full their batches are and how long each takes;
        # `triage loadtest` reads them to show where a request's time goes (docs/BENCHMARKS.md).
        self.batch_items = Histogram(
            "triage_batch_items",
            "items in a batch",
            ["batcher"],
            registry=self.registry,
            buckets=(1, 2, 4, 8, 16, 24, 32, 48, 64, 100),
        )
        self.batch_seconds = Histogram(
            "triage_batch_seconds",
            "a batch's work, from hand-over to its worker thread until its results are back",
            ["batcher"],
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1, 2.5),
        )
        self.webhooks = Counter(
            "triage_webhooks_total", "platform webhook deliveries", ["platform", "outcome"], registry=self.registry
        )

    def batch_observer(self, batcher: str) -> Callable[[int, float], None]:
        items, seconds = self.batch_items.labels(batcher), self.batch_seconds.labels(batcher)

        def observe(count: int, elapsed: float) -> None:
            items.observe(count)
            seconds.observe(elapsed)

        return observe
