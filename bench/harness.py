"""The system under test, started and stopped in one place for every benchmark.

``Stack`` starts a redis-server of its own (append-only file), the bench database
(``bench_bench``, migrated with ``python -m bot migrate``) reached through a TCP fault proxy,
the fake Messaging API as its own process, the web process (no in-process workers) and N
worker processes. ``--repo DIR`` runs web, workers and migrations from another checkout
(its ``.venv`` python, ``PYTHONPATH=DIR``); the fake API and the bench always come from this
one, since they are the measuring instruments.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import redis.asyncio as redis

from bench.line_control import LineControl
from bench.procs import (
    BenchDatabase,
    Child,
    RedisServer,
    background_priority,
    cpu_seconds,
    free_port,
)
from bot.dev.fault_proxy import FaultProxy

BENCH_ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-channel-secret"
TOKEN = "bench-access-token"
HEARTBEAT_PREFIX = "tsunagu:worker:"
T = TypeVar("T")  # bot.worker: a worker that consumes beats here


@dataclass
class Peer:
    """The peer bot (bench/peer_app.py) and a fake Messaging API of its own."""

    app: Child
    fake: Child
    line: LineControl
    webhook_url: str


@dataclass
class StackOptions:
    repo: Path = BENCH_ROOT
    workers: int = 2
    database: str = "bench_bench"
    db_proxy: bool = True  # through the fault proxy (chaos) or straight (latency)
    redis_fsync: str = "always"
    worker_priority: str = "same"
    nlu: str = "auto"  # auto: Rasa when RASA_URL answers, else embedded
    rasa_url: str = os.environ.get("RASA_URL", "http://127.0.0.1:5005")
    worker_wrapper: list[str] = field(default_factory=list)  # e.g. the profiler's
    extra_env: dict[str, str] = field(default_factory=dict)

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--repo", type=Path, default=BENCH_ROOT,
                            help="run web, workers and migrations from this checkout")
        parser.add_argument("--database", default="bench_bench", help="PostgreSQL database (bench_*)")
        parser.add_argument("--nlu", choices=("auto", "embedded", "rasa"), default="auto")
        parser.add_argument("--worker-priority", choices=("idle", "nice", "same"), default="same",
                            help="workers and the fake API: SCHED_IDLE, niceness 10, or as the web process")

    @classmethod
    def from_args(cls, args: argparse.Namespace, **overrides: Any) -> StackOptions:
        return cls(repo=args.repo.resolve(), database=args.database, nlu=args.nlu,
                   worker_priority=args.worker_priority, **overrides)


def rasa_answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/version", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


class Stack:
    """``async with Stack(options) as stack``: everything up, workers consuming."""

    def __init__(self, options: StackOptions) -> None:
        self.options = options
        self._tmp = tempfile.TemporaryDirectory(prefix="tsunagu-bench-")
        self.workdir = Path(self._tmp.name)
        self.redis_server = RedisServer(self.workdir, fsync=options.redis_fsync)
        self.database = BenchDatabase(options.database)
        self.db_proxy: FaultProxy | None = None
        self.fake_port, self.fake_control_port, self.web_port = free_port(), free_port(), free_port()
        self.web: Child | None = None
        self.fake: Child | None = None
        self.workers: list[Child] = []
        self.redis: redis.Redis | None = None
        self.line = LineControl(f"http://127.0.0.1:{self.fake_control_port}")
        self.nlu_backend = "embedded"
        self.peer: Peer | None = None

    # ---- the target checkout ---------------------------------------------------------
    @property
    def python(self) -> str:
        candidate = self.options.repo / ".venv" / "bin" / "python"
        return str(candidate) if candidate.exists() else sys.executable

    @property
    def webhook_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}/callback"

    def env(self) -> dict[str, str]:
        db_port = self.db_proxy.port if self.db_proxy is not None else None
        env = dict(os.environ)
        env.update(
            PYTHONPATH=str(self.options.repo), REDIS_URL=self.redis_server.url,
            DATABASE_URL=self.database.url(db_port),
            LINE_API_BASE_URL=f"http://127.0.0.1:{self.fake_port}",
            LINE_CHANNEL_SECRET=SECRET, LINE_CHANNEL_ACCESS_TOKEN=TOKEN,
            LOG_HASH_KEY="bench-hash-key", ENCRYPTION_KEY="YmVuY2gtZW5jcnlwdGlvbi1rZXktMzItYnl0ZXMhISE=",
            HOST="127.0.0.1", PORT=str(self.web_port), IN_PROCESS_WORKERS="0", DEV_MODE="false",
            LOG_LEVEL="WARNING", WORKER_BLOCK_MS="200", NLU_BACKEND=self.nlu_backend,
            RASA_URL=self.options.rasa_url,
            STAFF_WEBHOOK_URL=f"http://127.0.0.1:{self.fake_control_port}/_control/staff_alerts",
        )
        if self.options.repo != BENCH_ROOT:
            env["PYTHONDONTWRITEBYTECODE"] = "1"  # leave another engineer's checkout as it was
        env.update(self.options.extra_env)
        return env

    def _target(self, name: str, *args: str, wrapper: list[str] | None = None, background: bool = False) -> Child:
        argv = [self.python, *(wrapper or []), *args]
        preexec = background_priority(self.options.worker_priority) if background else None
        return Child(name, argv, self.workdir / f"{name}.log", cwd=self.options.repo, env=self.env(),
                     preexec=preexec)

    # ---- lifecycle ---------------------------------------------------------------------
    async def __aenter__(self) -> Stack:
        try:
            await self._start()
        except BaseException:
            await self.aclose()
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def _start(self) -> None:
        opts = self.options
        if opts.nlu == "rasa" or (opts.nlu == "auto" and rasa_answers(opts.rasa_url)):
            self.nlu_backend = "rasa"
        self.redis_server.start()
        self.redis = redis.Redis.from_url(self.redis_server.url)
        self.database.recreate()
        if opts.db_proxy:
            self.db_proxy = await FaultProxy(self.database.host, self.database.port).start()
        self.fake = self._fake("fake-line-api", self.fake_port, self.fake_control_port)
        env = self.env()
        env["DATABASE_URL"] = self.database.url()  # migrations straight, not through the proxy
        migrate = Child("migrate", [self.python, "-m", "bot", "migrate"], self.workdir / "migrate.log",
                        cwd=opts.repo, env=env).start()
        train = Child("nlu-train", [self.python, "-m", "nlu", "train"], self.workdir / "nlu-train.log",
                      cwd=opts.repo, env=env).start()
        for child in (migrate, train):
            assert child.popen is not None
            if await asyncio.to_thread(child.popen.wait) != 0:
                raise RuntimeError(f"{child.name} failed:\n{child.tail()}")
        self.web = self._target("web", "-m", "bot", "serve").start()
        self.workers = [self._worker(i).start() for i in range(opts.workers)]
        await self.line.wait_ready()
        await wait_http(f"http://127.0.0.1:{self.web_port}/healthz", self.web)
        await self.wait_workers(opts.workers)

    def _fake(self, name: str, port: int, control_port: int | None = None) -> Child:
        argv = [sys.executable, "-m", "bot.dev.line_api", "--port", str(port), "--token", TOKEN]
        if control_port is not None:
            argv += ["--control-port", str(control_port)]
        return Child(name, argv, self.workdir / f"{name}.log", cwd=BENCH_ROOT,
                     env={**os.environ, "PYTHONPATH": str(BENCH_ROOT)},
                     preexec=background_priority(self.options.worker_priority)).start()

    async def start_peer(self) -> Peer:
        """The peer beside the stack, on the same target code and NLU, with its own fake API."""
        fake_port, app_port = free_port(), free_port()
        fake = self._fake("peer-fake-line-api", fake_port)
        env = self.env()
        env["LINE_API_BASE_URL"] = f"http://127.0.0.1:{fake_port}"
        app = Child("peer", [self.python, str(BENCH_ROOT / "bench" / "peer_app.py"), "--port", str(app_port)],
                    self.workdir / "peer.log", cwd=self.options.repo, env=env).start()
        self.peer = Peer(app, fake, LineControl(f"http://127.0.0.1:{fake_port}"),
                         f"http://127.0.0.1:{app_port}/callback")
        await self.peer.line.wait_ready()
        await wait_http(f"http://127.0.0.1:{app_port}/healthz", app)
        return self.peer

    def _worker(self, index: int) -> Child:
        return self._target(f"worker{index}", "-m", "bot", "worker", wrapper=self.options.worker_wrapper,
                            background=True)

    async def wait_workers(self, count: int, timeout: float = 180) -> None:
        """Workers beat once their NLU model is loaded and they consume; measure after that."""
        assert self.redis is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(await self.redis_call(lambda r: r.keys(HEARTBEAT_PREFIX + "*"))) >= count:
                return
            for worker in self.workers:
                if not worker.alive:
                    raise RuntimeError(f"{worker.name} exited:\n{worker.tail()}")
            await asyncio.sleep(0.2)
        print(f"warning: {count} worker heartbeats not seen in {timeout:.0f}s; going on", file=sys.stderr)

    async def redis_call(self, call: Callable[[redis.Redis], Awaitable[T]]) -> T:
        """A command to the bench's Redis, tried again once: a restarted server leaves the
        client's pooled connections dead."""
        assert self.redis is not None
        try:
            return await call(self.redis)
        except (redis.ConnectionError, OSError):
            await asyncio.sleep(0.5)
            return await call(self.redis)

    def kill_worker(self, index: int) -> None:
        self.workers[index].kill9()

    def restart_worker(self, index: int) -> None:
        old = self.workers[index]
        fresh = self._worker(index)
        fresh.cpu_before = old.cpu()
        self.workers[index] = fresh.start()

    async def reset(self) -> None:
        """Between runs: stop the processes, empty Redis and the database, start again."""
        for child in [*self.workers, *([self.web] if self.web else [])]:
            child.stop()
        if not self.redis_server.child.alive:
            self.redis_server.start()
        await self.redis_call(lambda r: r.flushall())
        if self.db_proxy is not None:
            await self.db_proxy.set_mode("pass")
        await self.line.clear()
        self.database.empty()
        self.web = self._target("web", "-m", "bot", "serve").start()
        self.workers = [self._worker(i).start() for i in range(self.options.workers)]
        await wait_http(f"http://127.0.0.1:{self.web_port}/healthz", self.web)
        await self.wait_workers(self.options.workers)

    async def aclose(self) -> None:
        if self.peer is not None:
            self.peer.app.stop()
            self.peer.fake.stop()
            await self.peer.line.aclose()
        for child in [*self.workers, *(c for c in (self.web, self.fake) if c is not None)]:
            child.stop()
        if self.db_proxy is not None:
            await self.db_proxy.aclose()
        if self.redis is not None:
            await self.redis.aclose()
        await self.line.aclose()
        self.redis_server.stop()
        self._tmp.cleanup()

    # ---- measuring ----------------------------------------------------------------------
    def processes(self) -> dict[str, Child]:
        named = {"web": self.web, "fake LINE API": self.fake, "redis": self.redis_server.child}
        named.update({w.name: w for w in self.workers})
        return {name: child for name, child in named.items() if child is not None}

    def cpu_snapshot(self) -> dict[str, Any]:
        return {
            "children": {name: child.cpu() for name, child in self.processes().items()},
            "postgres": {pid: cpu_seconds(pid) for pid in self.database.backend_pids()},
        }

    def cpu_since(self, before: dict[str, Any]) -> dict[str, float]:
        """CPU seconds per process since ``before``; PostgreSQL: the bench database's backends."""
        now = self.cpu_snapshot()
        spent = {name: now["children"][name] - before["children"].get(name, 0.0) for name in now["children"]}
        spent["postgres"] = sum(s - before["postgres"].get(pid, 0.0) for pid, s in now["postgres"].items())
        return spent


async def wait_http(url: str, child: Child | None = None, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient() as http:
        while time.monotonic() < deadline:
            try:
                if (await http.get(url)).status_code < 500:
                    return
            except httpx.HTTPError:
                pass
            if child is not None and not child.alive:
                raise RuntimeError(f"{child.name} exited:\n{child.tail()}")
            await asyncio.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")
