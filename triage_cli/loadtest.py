"""`triage loadtest`: post N comments at concurrency C to a server on this machine (loopback
only, bounded in count and time), optionally SIGKILL it mid-load and restart it, then check that
every acknowledged comment is in the database exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from triage_cli.load_baseline import in_process_rate, served_model_rate
from triage_cli.load_database import prepare, stored_copies
from triage_cli.spawned import batch_figures, cpu_seconds, free_port, start_server, wait_ready

LOOPBACK = ("127.0.0.1", "localhost", "::1")
SAMPLE_TEXTS = [
    "When is the green bin collection in Faversham this week?",
    "There's a massive pothole on Station Road, please fix it",
    "You lot at the council are clueless",
    "Lovely photo of the seafront",
    "Vote Reform on Thursday!",
    "Earn £500 a day from home, DM me",
    "ring him on 07911 123456 and tell him",
    "I want to make a formal complaint about the tip",
]


@dataclass
class Tally:
    acknowledged: set[str] = field(default_factory=set)
    errors: dict[str, int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)


def _body(external_id: str, run: str) -> dict[str, str]:
    n = int(external_id.split("-")[-1])
    return {
        "platform": "facebook",
        "external_id": external_id,
        "author_handle": f"author-{n % 500}",
        "post_id": f"{run}-{n % 50}",
        "text": f"{SAMPLE_TEXTS[n % len(SAMPLE_TEXTS)]} #{external_id}",
    }


async def _post_all(
    url: str, key: str, ids: list[str], concurrency: int, tally: Tally, time_limit: float, run: str, batch: int = 1
) -> None:
    """Post every id, `batch` comments a request (1: the single-comment endpoint). aiohttp, not
    httpx: the load generator shares this machine's cores with the server, and aiohttp costs less
    CPU per request, so more of the machine measures the server."""
    import aiohttp

    queue: asyncio.Queue[list[str]] = asyncio.Queue()
    for start in range(0, len(ids), batch):
        queue.put_nowait(ids[start : start + batch])
    deadline = time.monotonic() + time_limit
    path = "/v1/comments" if batch == 1 else "/v1/comments/batch"
    connector = aiohttp.TCPConnector(limit=concurrency)
    timeout = aiohttp.ClientTimeout(total=60)
    headers = {"Authorization": f"Bearer {key}"}
    async with aiohttp.ClientSession(url, connector=connector, timeout=timeout, headers=headers) as client:

        async def worker() -> None:
            while not queue.empty() and time.monotonic() < deadline:
                chunk = queue.get_nowait()
                bodies = [_body(external_id, run) for external_id in chunk]
                payload = bodies[0] if batch == 1 else {"comments": bodies}
                started = time.perf_counter()
                try:
                    async with client.post(path, json=payload) as response:
                        status = response.status
                        await response.read()
                except (aiohttp.ClientError, TimeoutError) as error:
                    tally.errors[type(error).__name__] = tally.errors.get(type(error).__name__, 0) + 1
                    continue
                if status == 200:
                    tally.acknowledged.update(chunk)
                    tally.latencies.append(time.perf_counter() - started)
                else:
                    tally.errors[str(status)] = tally.errors.get(str(status), 0) + 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))


@dataclass(frozen=True)
class Plan:
    """One load run: the spawned server and what to send it."""

    database_url: str
    model: Path
    port: int
    key: str
    run: str  # the external ids' prefix, unique to this run
    count: int
    concurrency: int
    time_limit: float
    batch: int
    workers: int
    kill_after: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass(frozen=True)
class Measured:
    tally: Tally
    elapsed: float
    client_cpu: float
    server_cpu: float
    batches: dict[str, tuple[float, float, float]]  # the server's batchers: batches, items, seconds


def loadtest(
    count: Annotated[int, typer.Option(help="comments to post", min=1)] = 1000,
    concurrency: Annotated[int, typer.Option(help="requests in flight")] = 32,
    database_url: Annotated[
        str | None, typer.Option(help="database for the spawned server (default: a new SQLite file)")
    ] = None,
    history: Annotated[
        int, typer.Option(min=0, help="older comments stored before the load, as on a council's page with a past")
    ] = 0,
    kill_after: Annotated[
        int, typer.Option(help="SIGKILL the server after this many acknowledgements, restart, go on (0: never)")
    ] = 0,
    time_limit: Annotated[float, typer.Option(help="stop posting after this many seconds")] = 900.0,
    model: Annotated[Path, typer.Option(help="bundle the server serves")] = Path("models/minilm-policy"),
    workers: Annotated[int, typer.Option(min=1, max=8, help="server processes (each loads the model)")] = 1,
    batch: Annotated[
        int, typer.Option(min=1, max=100, help="comments a request (1: POST /v1/comments; more: the batch endpoint)")
    ] = 1,
) -> None:
    """Spawn the server on loopback, load it, and check that nothing acknowledged was lost or doubled."""
    database_url = database_url or f"sqlite:///{Path(tempfile.mkdtemp(prefix='triage-load-')) / 'load.db'}"
    run = f"run{int(time.time())}"
    key = prepare(database_url, run, history)
    texts = [_body(f"{run}-{i}", run)["text"] for i in range(count)]
    baseline = in_process_rate(model, texts) if model.exists() else float("nan")
    served_alone = served_model_rate(model, texts, workers) if model.exists() else float("nan")
    plan = Plan(
        database_url=database_url,
        model=model,
        port=free_port(),
        key=key,
        run=run,
        count=count,
        concurrency=concurrency,
        time_limit=time_limit,
        batch=batch,
        workers=workers,
        kill_after=kill_after,
    )
    measured = _load(plan)
    # Measured again after the load, and the faster of the two kept: a noisy neighbour during
    # one measurement must not flatter the ratio (nor lower its ceiling).
    if model.exists():
        baseline = max(baseline, in_process_rate(model, texts))
        served_alone = max(served_alone, served_model_rate(model, texts, workers))
    if not _report(plan, measured, stored_copies(database_url, plan.run), baseline, served_alone):
        raise typer.Exit(1)


def _load(plan: Plan) -> Measured:
    """Post every comment to a spawned server (killed and restarted midway if asked); the server
    is stopped however this ends."""
    env = os.environ | {
        "TRIAGE_DATABASE_URL": plan.database_url,
        "TRIAGE_MODEL_PATH": str(plan.model),
        "TRIAGE_RATE_PER_MINUTE": "10000000",
    }
    server = start_server(plan.port, env, plan.workers)
    # A terminated load test still stops its server (the finally below runs on SystemExit).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    tally, ids = Tally(), [f"{plan.run}-{i}" for i in range(plan.count)]
    posting = (plan.url, plan.key)
    try:
        wait_ready(plan.url)
        started = time.perf_counter()  # the clock starts once the server is up
        client_cpu, server_cpu = time.process_time(), cpu_seconds(server.pid)
        if plan.kill_after:
            asyncio.run(_kill_midway(*posting, ids, tally, plan, server))
            server_cpu -= cpu_seconds(server.pid)  # the killed server's time is lost; count none of it
            server = start_server(plan.port, env, plan.workers)
            wait_ready(plan.url)
            server_cpu += cpu_seconds(server.pid)
            ids = [i for i in ids if i not in tally.acknowledged]
        asyncio.run(_post_all(*posting, ids, plan.concurrency, tally, plan.time_limit, plan.run, plan.batch))
        elapsed = time.perf_counter() - started
        client_cpu, server_cpu = time.process_time() - client_cpu, cpu_seconds(server.pid) - server_cpu
        batches = {} if plan.kill_after or plan.workers > 1 else batch_figures(plan.url, plan.key)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    return Measured(tally, elapsed, client_cpu, server_cpu, batches)


def _report(plan: Plan, measured: Measured, stored: dict[str, int], baseline: float, served_alone: float) -> bool:
    """Print what was sent, kept, lost and doubled, and the rates; True when nothing was lost or doubled."""
    tally = measured.tally
    lost = [i for i in tally.acknowledged if stored.get(i, 0) == 0]
    doubled = [i for i, n in stored.items() if n > 1]
    latencies = np.array(tally.latencies) * 1000
    rate = len(tally.acknowledged) / measured.elapsed
    per_request = (f", {plan.batch} a request" if plan.batch > 1 else "") + (
        f", {plan.workers} server processes" if plan.workers > 1 else ""
    )
    typer.echo(
        f"posted {plan.count} at concurrency {plan.concurrency}{per_request} to {plan.database_url.split(':')[0]}; "
        f"acknowledged {len(tally.acknowledged)}, errors {tally.errors or 0}, lost {len(lost)}, "
        f"duplicated {len(doubled)}, stored {sum(stored.values())}"
    )
    if len(latencies):
        typer.echo(
            f"throughput {rate:.1f}/s over HTTP with persistence; latency per request p50 {np.percentile(latencies, 50):.1f} ms, "
            f"p95 {np.percentile(latencies, 95):.1f} ms, p99 {np.percentile(latencies, 99):.1f} ms"
        )
    if tally.acknowledged and not plan.kill_after:
        per = 1000 / len(tally.acknowledged)
        typer.echo(
            f"CPU per comment: server {measured.server_cpu * per:.2f} ms, load generator "
            f"{measured.client_cpu * per:.2f} ms (this machine has {os.cpu_count()} cores shared by both)"
        )
    _report_batches(measured)
    typer.echo(
        f"in-process batched baseline {baseline:.1f}/s; HTTP/in-process ratio {rate / baseline:.2f} "
        f"(the server's model alone: {served_alone / baseline:.2f})"
    )
    return not lost and not doubled


def _report_batches(measured: Measured) -> None:
    """Each of the server's batchers: how many batches, how full, how long, how busy."""
    for name, (count, items, seconds) in sorted(measured.batches.items()):
        if count:
            typer.echo(
                f"{name}: {count:.0f} batches of {items / count:.1f} on average, {1000 * seconds / count:.1f} ms "
                f"each, at work {100 * seconds / measured.elapsed:.0f}% of the load"
            )


async def _kill_midway(
    url: str, key: str, ids: list[str], tally: Tally, plan: Plan, server: subprocess.Popen[bytes]
) -> None:
    posting = asyncio.ensure_future(
        _post_all(url, key, ids, plan.concurrency, tally, plan.time_limit, plan.run, plan.batch)
    )
    while len(tally.acknowledged) < plan.kill_after and not posting.done():
        await asyncio.sleep(0.02)
    os.killpg(server.pid, signal.SIGKILL)
    await posting
