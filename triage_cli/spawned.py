"""The server a load test spawns on loopback: start it, wait for it, and read its CPU time."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(port: int, env: dict[str, str], workers: int = 1) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "triage_cli.main", "serve", "--port", str(port), "--workers", str(workers)]
    return subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )


def wait_ready(url: str, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health/live", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"server at {url} did not come up in {timeout}s")


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process and its children have used: cost per comment, which
    noise from other work on the machine does not change the way it changes wall time."""
    import psutil

    process = psutil.Process(pid)
    times = process.cpu_times()
    return float(times.user + times.system) + sum(
        float(c.cpu_times().user + c.cpu_times().system) for c in process.children(recursive=True)
    )


def batch_figures(url: str, key: str) -> dict[str, tuple[float, float, float]]:
    """(batches, items, seconds at work) of each of the server's micro-batchers, from /metrics;
    none if they cannot be read (a server that died mid-load must not stop the load's report)."""
    try:
        response = httpx.get(f"{url}/metrics", headers={"Authorization": f"Bearer {key}"}, timeout=10)
        response.raise_for_status()
        return _batch_figures(response.text)
    except (httpx.HTTPError, ValueError, KeyError):
        return {}


def _batch_figures(text: str) -> dict[str, tuple[float, float, float]]:
    from prometheus_client.parser import text_string_to_metric_families

    figures: dict[str, dict[str, float]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name in ("triage_batch_items_count", "triage_batch_items_sum", "triage_batch_seconds_sum"):
                figures.setdefault(sample.labels["batcher"], {})[sample.name] = sample.value
    return {
        name: (f["triage_batch_items_count"], f["triage_batch_items_sum"], f["triage_batch_seconds_sum"])
        for name, f in figures.items()
    }
