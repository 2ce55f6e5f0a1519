"""Webhook benchmark: many simulated residents against the real stack on loopback.

Starts the fake Messaging API, the web process (no in-process workers) and worker
processes against real Redis, then sends signed text events at a fixed rate (open loop:
the schedule does not wait for answers).  Prints acknowledgement latency p50/p99, events
handled per second, events lost (accepted but never handled; must be 0), and the CPU each
process spent per event.

    .venv/bin/python bench/webhook.py --rate 200 --seconds 15 --residents 500 --workers 2

Workers and the fake LINE API run at idle priority by default (``--worker-priority``); the
load generator builds every signed body before the clock starts and does not collect
garbage while it sends, so neither it nor the handling backlog is measured as the
webhook's latency. The first second (``--warmup-seconds``) is sent but not measured.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import aiohttp
import httpx
import redis.asyncio as redis

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.support.line import sign, text_event, webhook_body  # noqa: E402
from tests.support.servers import free_port  # noqa: E402

SECRET = "bench-channel-secret"
BENCH_DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/tsunagu_bench"
)
TOKEN = "bench-access-token"
MESSAGES = ["借金が返せなくて困っています", "こんにちは", "息子がずっと部屋から出てきません", "家を借りられない", "相談したいです"]


def _env(redis_url: str, fake_url: str, port: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        REDIS_URL=redis_url,
        LINE_API_BASE_URL=fake_url,
        LINE_CHANNEL_SECRET=SECRET,
        LINE_CHANNEL_ACCESS_TOKEN=TOKEN,
        LOG_HASH_KEY="bench-hash-key",
        ENCRYPTION_KEY="YmVuY2gtZW5jcnlwdGlvbi1rZXktMzItYnl0ZXMhISE=",
        DATABASE_URL=BENCH_DATABASE_URL,
        PORT=str(port),
        IN_PROCESS_WORKERS="0",
        LOG_LEVEL="WARNING",
        WORKER_BLOCK_MS="200",
    )
    return env


def _fresh_database() -> None:
    """The bench writes conversations and cases: give it its own empty database."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(BENCH_DATABASE_URL)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{url.database}"'))
    admin.dispose()


async def _wait_http(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient() as http:
        while time.monotonic() < deadline:
            try:
                if (await http.get(url)).status_code < 500:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


async def _wait_workers(client: redis.Redis, count: int, timeout: float = 120) -> None:
    """Workers beat once their NLU model is loaded and they consume; measure after that."""
    from bot.worker import HEARTBEAT_PREFIX

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(await client.keys(HEARTBEAT_PREFIX + "*")) >= count:
            return
        await asyncio.sleep(0.2)
    raise RuntimeError("workers did not start")


def _background_priority(priority: str) -> Callable[[], None] | None:
    """How workers and the fake LINE API yield the cores to the webhook.

    ``idle``: SCHED_IDLE, they run only when nothing else wants a core (the nearest a single
    box gets to workers on their own machines); ``nice``: niceness 10, they still take a
    share from the webhook; ``same``: no difference from the web process.
    """
    if priority == "idle":
        return lambda: os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    if priority == "nice":
        return lambda: os.setpriority(os.PRIO_PROCESS, 0, 10)
    return None


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _cpu_by_command(commands: tuple[str, ...]) -> dict[int, float]:
    """CPU seconds of every process whose command name is one of ``commands``."""
    found: dict[int, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # the process ended meanwhile
            continue
        if text[text.index("(") + 1 : text.rindex(")")] in commands:
            found[int(stat.parent.name)] = _cpu_seconds(int(stat.parent.name))
    return found


SERVERS = {"postgres": ("postgres",), "redis": ("redis-server",)}


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def run(args: argparse.Namespace) -> int:
    py = sys.executable
    redis_url = args.redis_url
    client = redis.Redis.from_url(redis_url)
    await client.flushdb()
    fake_port, web_port = free_port(), free_port()
    fake_url = f"http://127.0.0.1:{fake_port}"
    env = _env(redis_url, fake_url, web_port)
    _fresh_database()
    subprocess.run([py, "-m", "bot", "migrate"], env=env, check=True, capture_output=True)
    # Everything shares this machine's two cores. In production workers run on their own
    # machines; here they (and the fake LINE API they call) run at a lower priority so the
    # webhook is measured as it would answer, and the handling rate is reported separately.
    background = _background_priority(args.worker_priority)
    procs = [
        subprocess.Popen(
            [py, "-m", "bot.dev.line_api", "--port", str(fake_port), "--token", TOKEN], preexec_fn=background
        )
    ]
    procs.append(subprocess.Popen([py, "-m", "bot", "serve"], env=env))
    procs += [
        subprocess.Popen([py, "-m", "bot", "worker"], env=env, preexec_fn=background) for _ in range(args.workers)
    ]
    named = [("fake LINE API", procs[0]), ("web", procs[1])] + [(f"worker{i}", p) for i, p in enumerate(procs[2:])]
    try:
        await _wait_http(f"{fake_url}/_stats")
        base = f"http://127.0.0.1:{web_port}"
        await _wait_http(f"{base}/healthz")
        await _wait_workers(client, args.workers)
        residents = ["U" + os.urandom(16).hex() for _ in range(args.residents)]
        warmup = args.rate * args.warmup_seconds
        total = args.rate * args.seconds + warmup
        async with httpx.AsyncClient() as setup:
            tokens = (await setup.post(f"{fake_url}/_reply_tokens", json={"chats": residents})).json()
        # Signed bodies are built before the clock starts: the load generator shares the
        # cores with what it measures and should spend them on sending, not on JSON and HMAC.
        requests: list[tuple[str, bytes, str]] = []
        for i in range(total):
            user = random.choice(residents)
            event = text_event(user, random.choice(MESSAGES))
            if i < len(residents):
                event["replyToken"] = tokens[user]
            body = webhook_body(event)
            requests.append((user, body, sign(body, SECRET)))
        latencies: list[float] = []
        timeline: list[tuple[float, float]] = []  # (sent at, latency), for --timeline
        statuses: dict[int, int] = {}
        accepted_per_resident: dict[str, int] = {}
        connector = aiohttp.TCPConnector(limit=200)
        async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=10)) as http:

            async def send(i: int, user: str, body: bytes, signature: str) -> None:
                started = time.perf_counter()
                async with http.post(
                    f"{base}/callback",
                    data=body,
                    headers={"X-Line-Signature": signature, "Content-Type": "application/json"},
                ) as response:
                    payload = await response.read()
                if i >= warmup:
                    latencies.append(time.perf_counter() - started)
                    timeline.append((started, latencies[-1]))
                statuses[response.status] = statuses.get(response.status, 0) + 1
                if response.status == 200:
                    accepted = json.loads(payload)["accepted"]
                    accepted_per_resident[user] = accepted_per_resident.get(user, 0) + accepted

            # Warm-up: the first second of a cold server (new connections, first calls of
            # every code path, workers waking to a backlog) is sent at the same rate and
            # handled like the rest, but left out of the latency figures.
            # The generator's own garbage collection would pause its loop and be counted
            # as server latency: its objects are frozen and collection is off while it sends.
            gc.freeze()
            gc.disable()
            cpu_before = {name: _cpu_seconds(p.pid) for name, p in named}
            client_before = time.process_time()
            servers_before = {name: _cpu_by_command(c) for name, c in SERVERS.items()}
            tasks = []
            start = time.perf_counter()
            for i, request in enumerate(requests):
                delay = start + i / args.rate - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                tasks.append(asyncio.create_task(send(i, *request)))
            await asyncio.gather(*tasks)
            send_done = time.perf_counter()
            gc.enable()

        accepted = sum(accepted_per_resident.values())

        async def handled() -> int:
            keys = [f"tsunagu:done:user:{u}" for u in accepted_per_resident]
            values = await client.mget(keys) if keys else []
            return sum(int(v or 0) for v in values)

        deadline = time.monotonic() + args.drain_timeout
        done = await handled()
        while done < accepted and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
            done = await handled()
        finished = time.perf_counter()
        cpu = {name: _cpu_seconds(p.pid) - cpu_before[name] for name, p in named}
        cpu["load generator"] = time.process_time() - client_before
        for name, commands in SERVERS.items():
            # Backends started during the run count from zero.
            before, after = servers_before[name], _cpu_by_command(commands)
            cpu[name] = sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())
        dead = await client.xlen("tsunagu:events:dead")
        lost = accepted - done
        print(
            f"events sent            {total} at {args.rate}/s: {args.warmup_seconds}s warm-up + {args.seconds}s measured,"
            f" {args.residents} residents, {args.workers} workers (priority {args.worker_priority})"
        )
        print(f"http statuses          {dict(sorted(statuses.items()))}")
        print(f"ack latency p50        {statistics.median(latencies) * 1000:.2f} ms")
        print(f"ack latency p99        {_pct(latencies, 99) * 1000:.2f} ms")
        print(f"ack latency max        {max(latencies) * 1000:.2f} ms")
        print(f"events handled         {done} of {accepted} accepted ({dead} dead-lettered)")
        print(f"handled per second     {done / (finished - start):.1f} (drained {finished - send_done:.2f}s after the last send)")
        print(f"events lost            {lost}")
        per_event = ", ".join(f"{name} {seconds / total * 1000:.2f}" for name, seconds in cpu.items())
        print(f"cpu ms per event       {per_event}")
        if args.timeline:
            for second in range(args.seconds + 1):
                window = [lat for t, lat in timeline if second <= t - start - args.warmup_seconds < second + 1]
                if window:
                    print(
                        f"  second {second:2d}: {len(window)} sent, p50 {statistics.median(window) * 1000:.1f} ms,"
                        f" max {max(window) * 1000:.1f} ms"
                    )
        return 0 if lost == 0 and statuses.get(200, 0) == total else 1
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        await client.flushdb()
        await client.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=int, default=200, help="events per second")
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--residents", type=int, default=500)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--drain-timeout", type=float, default=120)
    parser.add_argument(
        "--worker-priority",
        choices=("idle", "nice", "same"),
        default="idle",
        help="workers and the fake LINE API: SCHED_IDLE (default), niceness 10, or as the web process",
    )
    parser.add_argument("--warmup-seconds", type=int, default=1, help="sent at the rate, not measured")
    parser.add_argument("--timeline", action="store_true", help="also print latency per second of the run")
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11"))
    sys.exit(asyncio.run(run(parser.parse_args())))


if __name__ == "__main__":
    main()
