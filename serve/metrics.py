"""Prometheus metrics: requests, latencies, decisions by action, model errors (process-wide); the
queue depth per council is read per request, for the caller's councils only (routes/health.py)."""

from __future__ import annotations

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
        self.webhooks = Counter(
            "triage_webhooks_total", "platform webhook deliveries", ["platform", "outcome"], registry=self.registry
        )
