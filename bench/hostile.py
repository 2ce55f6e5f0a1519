"""Hostile load on the web process, as figures (issue 11).

    .venv/bin/python -m bench.hostile                     # all three, a few minutes
    .venv/bin/python -m bench.hostile --only body         # one of: body, logins, longtext

* **body**: RSS of the web process while a client sends a forged 200 MB body (declared
  Content-Length, then a chunked one with no length), and how soon it is refused.
* **logins**: webhook ack p50/p99 at a steady rate, alone and during a 4-way flood of failed
  logins. Each attempt names a new account from a new address (through a trusted local
  proxy, FORWARDED_ALLOW_IPS=127.0.0.1), so no throttle spares the password check: the
  worst case for argon2. Target: p99 ≤ 50 ms on 2 cores.
* **longtext**: ack p50/p99 with in-process workers (IN_PROCESS_WORKERS=1), short messages
  alone and then with one 5,000-character message (LINE's longest) a second among them.

The stack is bench/harness.py's (a redis-server of its own with an append-only file, the
bench PostgreSQL database, the fake Messaging API, the web process), with no worker
processes; the embedded NLU. Figures from a busy shared machine are indicative only.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp

if __package__ in (None, ""):  # python bench/hostile.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.answers import percentile
from bench.harness import SECRET, Stack, StackOptions
from tests.support.line import sign, text_event, webhook_body

FORGED_BODY_MB = 200
SHORT = ["こんにちは", "借金が返せなくて困っています", "相談したいです"]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@asynccontextmanager
async def web(args: argparse.Namespace, **settings: str) -> AsyncIterator[tuple[str, int]]:
    """The harness's stack without worker processes, ``settings`` set for the web process;
    yields (web url, web pid)."""
    options = StackOptions.from_args(args, workers=0, db_proxy=False, extra_env=settings)
    async with Stack(options) as stack:
        assert stack.web is not None
        try:
            yield f"http://127.0.0.1:{stack.web_port}", stack.web.pid
        except BaseException:
            state = "alive" if stack.web.alive else f"exited {stack.web.popen and stack.web.popen.returncode}"
            print(f"web process {state}; its log ends:\n{stack.web.tail(40)}", file=sys.stderr)
            raise


# ---- a forged 200 MB body -------------------------------------------------------------------


async def forged_body(url: str, pid: int, *, chunked: bool, mb: int = FORGED_BODY_MB) -> tuple[str, float, float]:
    """Send a forged body of ``mb`` megabytes as fast as the server takes it; (status line,
    seconds to the answer, peak RSS in MB of process ``pid`` while sending)."""
    host, port = url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    size = mb * 1024 * 1024
    length = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {size}"
    writer.write(f"POST /callback HTTP/1.1\r\nHost: x\r\nX-Line-Signature: Zm9yZ2VkIQ==\r\n{length}\r\n\r\n".encode())
    chunk = b"x" * (1024 * 1024)
    framed = b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk
    peak = rss_mb(pid)
    started = time.perf_counter()
    answer = asyncio.create_task(reader.readline())
    sent = 0
    try:
        while sent < size and not answer.done():
            writer.write(framed)
            await writer.drain()
            sent += len(chunk)
            peak = max(peak, rss_mb(pid))
        if chunked and not answer.done():
            writer.write(b"0\r\n\r\n")
    except (ConnectionError, OSError):
        pass  # the server closed the connection after answering
    status = await asyncio.wait_for(answer, 60)
    elapsed = time.perf_counter() - started
    for _ in range(20):
        peak = max(peak, rss_mb(pid))
        await asyncio.sleep(0.01)
    writer.close()
    return status.decode().strip(), elapsed, peak


async def bench_body(args: argparse.Namespace) -> list[tuple[str, str]]:
    async with web(args, IN_PROCESS_WORKERS="0") as (url, pid):
        before = rss_mb(pid)
        rows = [("web RSS before", f"{before:.0f} MB")]
        for chunked in (False, True):
            status, seconds, peak = await forged_body(url, pid, chunked=chunked)
            kind = "chunked, no length" if chunked else "Content-Length"
            rows.append((f"forged {FORGED_BODY_MB} MB body ({kind})",
                         f"{status[9:12]} after {seconds * 1000:.1f} ms; web RSS peak {peak:.0f} MB "
                         f"(+{peak - before:.0f} MB)"))
        return rows


# ---- steady webhook load -------------------------------------------------------------------


async def webhook_load(url: str, rate: float, seconds: float, bodies: list[bytes]) -> list[float]:
    """Send signed bodies at ``rate`` per second; their ack latencies in ms (non-200 raise)."""
    latencies: list[float] = []
    signed = [(b, sign(b, SECRET)) for b in bodies]
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as http:

        async def one(body: bytes, signature: str) -> None:
            started = time.perf_counter()
            async with http.post(f"{url}/callback", data=body, headers={
                "Content-Type": "application/json", "X-Line-Signature": signature}) as response:
                await response.read()
                if response.status != 200:
                    raise RuntimeError(f"webhook answered {response.status}")
            latencies.append((time.perf_counter() - started) * 1000)

        tasks = []
        start = time.perf_counter()
        for i in range(int(rate * seconds)):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(*signed[i % len(signed)])))
        await asyncio.gather(*tasks)
    return latencies


def short_bodies(n: int) -> list[bytes]:
    return [webhook_body(text_event("U" + uuid.uuid4().hex, random.choice(SHORT))) for _ in range(n)]


def figures(latencies: list[float]) -> str:
    return f"p50 {percentile(latencies, 50):.2f} ms, p99 {percentile(latencies, 99):.2f} ms ({len(latencies)} acks)"


async def login_flood(url: str, ways: int, stop: asyncio.Event) -> tuple[int, dict[int, int]]:
    """``ways`` clients failing logins back to back, each a new account from a new address."""
    statuses: dict[int, int] = {}
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as http:

        async def client(way: int) -> None:
            n = 0
            while not stop.is_set():
                n += 1
                address = f"10.{way}.{n // 250 % 250}.{n % 250 + 1}"
                async with http.post(f"{url}/api/login", headers={"X-Forwarded-For": address},
                                     json={"email": f"guess{way}-{n}@ward.example", "password": "wrong-guess"}) as r:
                    await r.read()
                    statuses[r.status] = statuses.get(r.status, 0) + 1

        await asyncio.gather(*(client(w) for w in range(ways)))
    return sum(statuses.values()), statuses


async def bench_logins(args: argparse.Namespace, rate: float, seconds: float) -> list[tuple[str, str]]:
    async with web(args, IN_PROCESS_WORKERS="0", FORWARDED_ALLOW_IPS="127.0.0.1") as (url, _pid):
        await webhook_load(url, rate, 2, short_bodies(50))  # warm up
        alone = await webhook_load(url, rate, seconds, short_bodies(int(rate * seconds)))
        stop = asyncio.Event()
        flood = asyncio.create_task(login_flood(url, 4, stop))
        await asyncio.sleep(1)
        started = time.perf_counter()
        during = await webhook_load(url, rate, seconds, short_bodies(int(rate * seconds)))
        stop.set()
        attempts, statuses = await flood
        per_second = attempts / (time.perf_counter() - started + 1)
        after = await webhook_load(url, rate, seconds, short_bodies(int(rate * seconds)))
        return [
            (f"webhook ack at {rate:.0f}/s, alone", figures(alone)),
            (f"webhook ack at {rate:.0f}/s, 4-way failed-login flood", figures(during)),
            (f"webhook ack at {rate:.0f}/s, alone again (machine drift)", figures(after)),
            ("failed logins checked", f"{per_second:.1f}/s, answers {dict(sorted(statuses.items()))}"),
        ]


async def bench_longtext(args: argparse.Namespace, rate: float, seconds: float) -> list[tuple[str, str]]:
    async with web(args, IN_PROCESS_WORKERS="1") as (url, _pid):
        await webhook_load(url, rate, 2, short_bodies(50))
        alone = await webhook_load(url, rate, seconds, short_bodies(int(rate * seconds)))
        bodies = short_bodies(int(rate * seconds))
        long_text = ("借金の返済が苦しくて、毎晩眠れません。" * 300)[:5000]
        for i in range(0, len(bodies), max(1, int(rate))):  # one 5,000-character message a second
            bodies[i] = webhook_body(text_event("U" + uuid.uuid4().hex, long_text))
        during = await webhook_load(url, rate, seconds, bodies)
        return [
            (f"webhook ack at {rate:.0f}/s, in-process worker, short messages", figures(alone)),
            ("same, one 5,000-character message a second", figures(during)),
        ]


async def run(args: argparse.Namespace) -> None:
    rows: list[tuple[str, str]] = []
    if args.only in (None, "body"):
        rows += await bench_body(args)
    if args.only in (None, "logins"):
        rows += await bench_logins(args, args.rate, args.seconds)
    if args.only in (None, "longtext"):
        rows += await bench_longtext(args, args.longtext_rate, args.seconds)
    width = max(len(name) for name, _ in rows)
    print(f"{'measure':<{width}}  result")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=["body", "logins", "longtext"])
    parser.add_argument("--rate", type=float, default=50, help="webhook requests per second")
    parser.add_argument("--longtext-rate", type=float, default=20,
                        help="webhook requests per second with the in-process worker handling them")
    parser.add_argument("--seconds", type=float, default=10)
    StackOptions.add_arguments(parser)
    parser.set_defaults(nlu="embedded", database="bench_privacy")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
