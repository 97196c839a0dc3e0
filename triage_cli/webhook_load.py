"""`triage loadtest-webhooks`: the connectors under load on loopback. Spawns the service and a
`triage worker` against the fake platform, posts signed Meta and X webhook deliveries (a share of
them re-sent), SIGKILLs the worker once while the platform is answering one of its calls, restarts
it, and checks that every comment is stored once and every platform action is delivered once in
effect (`triage_cli/webhook_checks.py`)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from triage.connectors.fake_platform import Call, FakePlatform
from triage_cli.spawned import free_port, start_server, wait_ready
from triage_cli.webhook_checks import Checked, check, in_flight, settled
from triage_cli.webhook_deliveries import ACCOUNTS, SECRETS, Delivery, deliveries, signed


async def _post_all(url: str, items: list[Delivery], concurrency: int) -> tuple[list[Delivery], dict[str, int]]:
    import aiohttp

    queue: asyncio.Queue[Delivery] = asyncio.Queue()
    for item in items:
        queue.put_nowait(item)
    acknowledged: list[Delivery] = []
    errors: dict[str, int] = {}
    headers = {"content-type": "application/json"}
    async with aiohttp.ClientSession(url, timeout=aiohttp.ClientTimeout(total=60), headers=headers) as client:

        async def poster() -> None:
            while not queue.empty():
                item = queue.get_nowait()
                path, signature = signed(item)
                try:
                    async with client.post(path, data=item.body, headers=signature) as response:
                        await response.read()
                        status = response.status
                except (aiohttp.ClientError, TimeoutError) as error:
                    errors[type(error).__name__] = errors.get(type(error).__name__, 0) + 1
                    continue
                if status == 200:
                    acknowledged.append(item)
                else:
                    errors[str(status)] = errors.get(str(status), 0) + 1

        await asyncio.gather(*(poster() for _ in range(concurrency)))
    return acknowledged, errors


@dataclass
class WorkerRun:
    """The `triage worker` process, killed by the fake platform's handler on the chosen call."""

    env: dict[str, str]
    kill_at: int  # the write call during which the worker dies (0: never)
    process: subprocess.Popen[bytes] | None = None
    writes: int = 0
    killed: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> None:
        command = [sys.executable, "-m", "triage_cli.main", "worker"]
        self.process = subprocess.Popen(
            command, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )

    def on_write(self, call: Call) -> None:
        """Runs in the fake platform after the call took effect, before it answers."""
        with self.lock:
            self.writes += 1
            now_dies = self.writes == self.kill_at
        if now_dies and self.process is not None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            self.killed.set()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)


@dataclass(frozen=True)
class LoadPlan:
    count: int = 5000
    resend_share: float = 0.1
    concurrency: int = 16
    kill_at: int = 0  # 0: after a fiftieth of the deliveries' worth of platform calls
    model: Path = Path("models/minilm-policy")
    database_url: str | None = None
    time_limit: float = 900.0


@dataclass(frozen=True)
class LoadResult:
    sent: int
    acknowledged: int
    errors: dict[str, int]
    post_seconds: float
    settle_seconds: float
    killed: bool
    checked: Checked

    @property
    def passed(self) -> bool:
        return self.killed and not self.errors and self.checked.passed


def _prepare(database_url: str) -> None:
    """The newest schema and one live connection per platform for swale."""
    from triage.connectors import connections
    from triage.storage.db import Database

    database = Database.open(database_url)
    with database.sessions() as session:
        for platform, (account, token_env) in ACCOUNTS.items():
            connections.add(
                session,
                council="swale",
                platform=platform,
                account_id=account,
                token_env=token_env,
                mode="live",
                actor="loadtest",
                now=datetime.now(UTC),
            )
    database.close()


def run_webhook_load(plan: LoadPlan) -> LoadResult:
    """The whole run; the service and the worker are stopped however it ends."""
    database_url = plan.database_url or f"sqlite:///{Path(tempfile.mkdtemp(prefix='triage-hooks-')) / 'load.db'}"
    _prepare(database_url)
    run = f"L{int(time.time())}x"
    items = deliveries(plan.count, plan.resend_share, run)
    with FakePlatform() as fake:
        env = os.environ | SECRETS | {token: "good-token" for _, token in ACCOUNTS.values()}
        env |= {
            "TRIAGE_DATABASE_URL": database_url,
            "TRIAGE_MODEL_PATH": str(plan.model),
            "TRIAGE_META_GRAPH_URL": fake.meta_url,
            "TRIAGE_X_API_URL": fake.x_url,
            "TRIAGE_CONNECTOR_WORKER": "false",  # the worker runs apart, so it can be killed alone
            "TRIAGE_CONNECTOR_POLL_SECONDS": "0.2",
            "TRIAGE_CONNECTOR_LEASE_SECONDS": "5",
        }
        worker = WorkerRun(env, plan.kill_at or max(1, plan.count // 50))
        fake.on_write = worker.on_write
        port = free_port()
        server = start_server(port, env | {"TRIAGE_MODEL_PATH": os.devnull})  # it only stores deliveries
        try:
            wait_ready(f"http://127.0.0.1:{port}")
            worker.start()
            started = time.perf_counter()
            acknowledged, errors = asyncio.run(_post_all(f"http://127.0.0.1:{port}", items, plan.concurrency))
            posted = time.perf_counter() - started
            interrupted = _settle(database_url, worker, started + plan.time_limit)
            settle = time.perf_counter() - started
        finally:
            worker.stop()
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        checked = check(database_url, run, acknowledged, fake, interrupted)
    return LoadResult(len(items), len(acknowledged), errors, posted, settle, worker.killed.is_set(), checked)


def _settle(database_url: str, worker: WorkerRun, deadline: float) -> set[int]:
    """Wait until every delivery is processed and every action settled, restarting the worker
    once it was killed; returns the actions it held when it died."""
    interrupted: set[int] = set()
    restarted = False
    while time.perf_counter() < deadline:
        if worker.killed.is_set() and not restarted:
            interrupted, restarted = in_flight(database_url), True
            worker.start()
        if settled(database_url) and (restarted or worker.writes < worker.kill_at):
            return interrupted
        time.sleep(0.5)
    raise TimeoutError("the connectors did not settle in the time limit")


def report(plan: LoadPlan, result: LoadResult) -> None:
    checked = result.checked
    typer.echo(
        f"posted {result.sent} signed deliveries ({checked.comments} comments, {result.sent - checked.comments} "
        f"re-sent) at concurrency {plan.concurrency}: acknowledged {result.acknowledged}, errors "
        f"{result.errors or 0}, {result.acknowledged / result.post_seconds:.1f} deliveries/s"
    )
    killed = (
        f"killed once during platform call {plan.kill_at or max(1, plan.count // 50)}"
        if result.killed
        else "NOT killed"
    )
    typer.echo(
        f"worker {killed} ({checked.interrupted} actions in flight), restarted; all settled after "
        f"{result.settle_seconds:.1f} s ({result.acknowledged / result.settle_seconds:.1f} deliveries/s end to end)"
    )
    typer.echo(
        f"comments: stored {checked.stored}, lost {checked.lost_comments}, doubled {checked.doubled_comments}; "
        f"duplicates absorbed {checked.duplicates_absorbed}"
    )
    typer.echo(
        f"platform actions: delivered {checked.delivered} {checked.by_action}, lost {checked.lost_actions}, "
        f"doubled {checked.doubled_actions}, wrong in effect {checked.wrong_in_effect}; calls {checked.calls}, "
        f"of which resent after the kill {checked.resent} (idempotent on the platform)"
    )


def loadtest_webhooks(
    count: Annotated[int, typer.Option(help="webhook deliveries to post, re-sends included")] = 5000,
    resend_share: Annotated[float, typer.Option(min=0.0, max=0.5, help="share of deliveries re-sent")] = 0.1,
    concurrency: Annotated[int, typer.Option(help="requests in flight")] = 16,
    kill_at: Annotated[int, typer.Option(help="SIGKILL the worker during this platform call (0: count/50)")] = 0,
    model: Annotated[Path, typer.Option(help="bundle the worker scores with")] = Path("models/minilm-policy"),
    database_url: Annotated[str | None, typer.Option(help="database (default: a new SQLite file)")] = None,
    time_limit: Annotated[float, typer.Option(help="give up after this many seconds")] = 900.0,
) -> None:
    """Post signed webhook deliveries to a spawned service with the fake platform, kill the
    worker once, and check every comment is stored once and every action delivered once in effect."""
    plan = LoadPlan(count, resend_share, concurrency, kill_at, model, database_url, time_limit)
    result = run_webhook_load(plan)
    report(plan, result)
    if not result.passed:
        raise typer.Exit(1)
