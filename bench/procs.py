"""Processes the benchmarks start and measure: a private redis-server, the bench database,
child processes with their logs, and CPU time read from /proc."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

PG_ADMIN = os.environ.get("BENCH_PG_ADMIN", "host=127.0.0.1 port=5432 user=postgres dbname=postgres")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc); 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def thread_cpu_seconds(pid: int) -> dict[str, float]:
    """CPU seconds per thread of a process, by thread name (threads of one name added up)."""
    found: dict[str, float] = {}
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            stat = (task / "stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        name = "main" if task.name == str(pid) else name
        fields = stat.rsplit(")", 1)[1].split()
        found[name] = found.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return found


def background_priority(priority: str) -> Callable[[], None] | None:
    """How background processes yield the cores: ``idle`` (SCHED_IDLE, they run only when
    nothing else wants a core), ``nice`` (niceness 10) or ``same`` (no difference)."""
    if priority == "idle":
        return lambda: os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    if priority == "nice":
        return lambda: os.setpriority(os.PRIO_PROCESS, 0, 10)
    return None


@dataclass
class Child:
    """A child process with its output in a log file; can be killed -9 and started again."""

    name: str
    argv: Sequence[str]
    log: Path
    cwd: Path | None = None
    env: dict[str, str] | None = None
    preexec: Callable[[], None] | None = None
    popen: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    cpu_before: float = 0.0  # CPU of earlier incarnations (a restarted worker adds up)

    def start(self) -> Child:
        with self.log.open("ab") as out:
            self.popen = subprocess.Popen(
                list(self.argv), cwd=self.cwd, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                preexec_fn=self.preexec,
            )
        return self

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    @property
    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def cpu(self) -> float:
        """CPU seconds of every incarnation so far."""
        return self.cpu_before + (cpu_seconds(self.pid) if self.alive else 0.0)

    def kill9(self) -> None:
        if self.alive:
            self.cpu_before += cpu_seconds(self.pid)
            os.kill(self.pid, signal.SIGKILL)
            assert self.popen is not None
            self.popen.wait()

    def stop(self, timeout: float = 15) -> None:
        if not self.alive:
            return
        assert self.popen is not None
        self.popen.terminate()
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()

    def tail(self, lines: int = 20) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        return ""


class RedisServer:
    """A redis-server of the bench's own, with an append-only file, so it can be killed -9
    and restarted without touching the shared server."""

    def __init__(self, workdir: Path, *, fsync: str = "always") -> None:
        self.dir = workdir / "redis"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.child = Child(
            "redis",
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.dir),
             "--appendonly", "yes", "--appendfsync", fsync, "--save", "", "--daemonize", "no"],
            workdir / "redis.log",
        )

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 30) -> None:
        self.child.start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), 1) as s:
                s.sendall(b"PING\r\n")
                if s.recv(16).startswith(b"+PONG"):
                    return
            time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start:\n{self.child.tail()}")

    def kill9(self) -> None:
        self.child.kill9()

    def stop(self) -> None:
        self.child.stop()


class BenchDatabase:
    """The benchmark's own PostgreSQL database on the shared server (never another one)."""

    def __init__(self, name: str, host: str = "127.0.0.1", port: int = 5432) -> None:
        if not name.startswith("bench_"):
            raise ValueError("the bench only drops databases named bench_*")
        self.name, self.host, self.port = name, host, port

    def url(self, port: int | None = None) -> str:
        return f"postgresql+psycopg://postgres@{self.host}:{port or self.port}/{self.name}"

    def recreate(self) -> None:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{self.name}"')

    def _connect(self) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(host=self.host, port=self.port, user="postgres", dbname=self.name,
                               autocommit=True)

    def empty(self) -> None:
        """Every table emptied, the schema kept (whatever migrations the target has)."""
        with self._connect() as db:
            tables = [r[0] for r in db.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
            )]
            if tables:
                with db.transaction():
                    # An append-only audit table refuses TRUNCATE by trigger; off for this one.
                    db.execute("SET LOCAL session_replication_role = replica")
                    db.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")

    def scalar(self, sql: str) -> object:
        with self._connect() as db:
            row = db.execute(sql).fetchone()
            return row[0] if row else None

    def backend_pids(self) -> list[int]:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            rows = admin.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                (self.name,),
            ).fetchall()
        return [int(r[0]) for r in rows]
