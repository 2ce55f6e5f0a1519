"""The event stream: per-resident order across workers, crash recovery, exactly-once."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
from collections import defaultdict

import httpx
import redis.asyncio as redis

from bot.deadletters import DeadLetters
from bot.intake import GROUP, STREAM, EventIntake
from bot.outbox import Outbox
from bot.residents import conversation_key
from bot.worker import StreamWorker
from flows import redis_keys
from tests.conftest import POSTGRES_URL, REDIS_URL
from tests.support.line import ACCESS_TOKEN, SECRET, text_event, user_id
from tests.support.waiting import wait_until


async def test_workers_never_handle_a_residents_events_out_of_order_or_at_once(redis_client):
    residents = [user_id() for _ in range(12)]
    per_resident = 15
    handled: dict[str, list[int]] = defaultdict(list)
    in_flight: set[str] = set()
    overlaps: list[str] = []

    async def handler(event: dict) -> None:
        user = event["source"]["userId"]
        if user in in_flight:
            overlaps.append(user)
        in_flight.add(user)
        await asyncio.sleep(random.uniform(0, 0.01))
        handled[user].append(int(event["message"]["text"]))
        in_flight.discard(user)

    # Three workers, each with its own connection, like processes on separate machines.
    clients = [redis.Redis.from_url(REDIS_URL) for _ in range(3)]
    workers = [
        StreamWorker(c, handler, consumer=f"w{i}", concurrency=8, reclaim_idle_ms=5000, block_ms=50)
        for i, c in enumerate(clients)
    ]
    tasks = [asyncio.create_task(w.run()) for w in workers]
    intake = EventIntake(redis_client, dedupe_ttl_s=60)
    events = [text_event(u, str(n)) for n in range(per_resident) for u in residents]
    for start in range(0, len(events), 7):  # interleaved batches, like concurrent webhooks
        await intake.accept(events[start : start + 7])

    await wait_until(lambda: sum(map(len, handled.values())) == len(events), timeout=30)
    for w in workers:
        w.stop()
    await asyncio.gather(*tasks)
    for c in clients:
        await c.aclose()

    assert overlaps == []
    for u in residents:
        assert handled[u] == list(range(per_resident))
    assert await redis_client.xlen(STREAM) == 0
    assert (await redis_client.xpending(STREAM, GROUP))["pending"] == 0


async def test_a_failing_handler_does_not_block_the_resident_and_the_event_is_dead_lettered(
    redis_client,
):
    user = user_id()
    seen: list[str] = []

    async def handler(event: dict) -> None:
        if event["message"]["text"] == "boom":
            raise RuntimeError("handler bug")
        seen.append(event["message"]["text"])

    worker = StreamWorker(redis_client, handler, consumer="solo", block_ms=50)
    task = asyncio.create_task(worker.run())
    boom = text_event(user, "boom")
    await EventIntake(redis_client, 60).accept([boom, text_event(user, "next")])
    await wait_until(lambda: seen == ["next"], timeout=10)
    worker.stop()
    await task
    letters = await DeadLetters(redis_client, ttl_s=60, outbox=Outbox(redis_client, known_ttl_s=60, useful_s=60)).all()
    assert [(letter.kind, letter.payload) for letter in letters] == [("event", boom)]


def _worker_env(fake_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        REDIS_URL=REDIS_URL,
        DATABASE_URL=POSTGRES_URL,
        LINE_API_BASE_URL=fake_url,
        LINE_CHANNEL_SECRET=SECRET,
        LINE_CHANNEL_ACCESS_TOKEN=ACCESS_TOKEN,
        LOG_HASH_KEY="test-hash-key",
        ENCRYPTION_KEY="dGVzdC1lbmNyeXB0aW9uLWtleS0zMi1ieXRlcyEhISE=",
        RECLAIM_IDLE_MS="1000",
        WORKER_BLOCK_MS="100",
        WORKER_LOCK_LEASE_S="1.5",
        LOG_LEVEL="WARNING",
        # The loading animation is the first call, at once: a hang there stalls mid-event.
        LOADING_AFTER_S="0",
    )
    return env


async def test_killing_a_worker_mid_event_loses_nothing_and_the_event_is_handled_once(
    redis_client, fake_line
):
    from bot.dev.line_api import Fault

    fake, fake_url = fake_line
    user = user_id()
    # The first loading-animation call hangs: the worker is stuck mid-event when killed.
    fake.inject("loading", Fault(status=0, delay_s=30))
    first = subprocess.Popen([sys.executable, "-m", "bot", "worker"], env=_worker_env(fake_url))
    second = None
    try:
        await EventIntake(redis_client, 60).accept(
            [text_event(user, "こんにちは", reply_token=fake.issue_reply_token(user))]
        )
        await wait_until(lambda: fake.calls["loading"] == 1, timeout=20)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        assert fake.deliveries == []  # it died before answering

        second = subprocess.Popen(
            [sys.executable, "-m", "bot", "worker"], env=_worker_env(fake_url)
        )
        await wait_until(lambda: len(fake.messages_for(user)) == 1, timeout=30)
        await asyncio.sleep(1.5)  # any duplicate would arrive meanwhile
        assert len(fake.messages_for(user)) == 1
        for _ in range(50):
            if (await redis_client.xpending(STREAM, GROUP))["pending"] == 0:
                break
            await asyncio.sleep(0.1)
        assert (await redis_client.xpending(STREAM, GROUP))["pending"] == 0
    finally:
        for process in (first, second):
            if process and process.poll() is None:
                process.terminate()
                process.wait(timeout=10)


async def test_worker_process_stops_cleanly_on_sigterm(redis_client, fake_line):
    _fake, fake_url = fake_line
    process = subprocess.Popen([sys.executable, "-m", "bot", "worker"], env=_worker_env(fake_url))
    for _ in range(1200):  # until it consumes (its heartbeat is up)
        if await redis_client.keys("tsunagu:worker:*"):
            break
        await asyncio.sleep(0.05)
    assert await redis_client.keys("tsunagu:worker:*")
    process.terminate()
    assert process.wait(timeout=10) == 0
    assert await redis_client.keys("tsunagu:worker:*") == []  # it signed off on the way out


async def test_store_down_means_503_so_line_redelivers(fake_line):
    from bot.app import create_app
    from tests.bot.conftest import RunningBot
    from tests.conftest import make_settings
    from tests.support.servers import free_port, serve

    _fake, fake_url = fake_line
    dead_redis = f"redis://127.0.0.1:{free_port()}/0"
    app = create_app(make_settings(redis_url=dead_redis, line_api_base_url=fake_url))
    async with serve(app) as url, httpx.AsyncClient(timeout=10) as http:
        running = RunningBot(url=url, http=http, fake=_fake)
        response = await running.post(text_event(user_id(), "こんにちは"))
        assert response.status_code == 503
        ready = await http.get(f"{url}/readyz")
        assert ready.status_code == 503
        assert ready.json()["checks"]["redis"] is False


async def test_a_worker_recreates_its_group_when_redis_loses_it(redis_client):
    seen: list[str] = []

    async def handler(event: dict) -> None:
        seen.append(event["message"]["text"])

    worker = StreamWorker(redis_client, handler, consumer="solo", block_ms=50)
    task = asyncio.create_task(worker.run())
    await asyncio.sleep(0.3)
    await redis_client.flushdb()  # as after a Redis restart without persistence
    await asyncio.sleep(0.3)
    await EventIntake(redis_client, 60).accept([text_event(user_id(), "after the loss")])
    await wait_until(lambda: seen == ["after the loss"], timeout=10)
    worker.stop()
    await task


async def test_the_commit_releases_the_residents_lease_and_the_next_event_takes_it(redis_client):
    user = user_id()
    resident = conversation_key(text_event(user, "0"))  # what the worker keys the resident on
    held_while_handling: list[bool] = []

    async def handler(event: dict) -> None:
        held_while_handling.append(bool(await redis_client.exists(redis_keys.lock(resident))))

    worker = StreamWorker(redis_client, handler, consumer="w-release", block_ms=50)
    task = asyncio.create_task(worker.run())
    await EventIntake(redis_client, dedupe_ttl_s=60).accept([text_event(user, str(n)) for n in range(3)])
    await wait_until(lambda: len(held_while_handling) == 3, timeout=10)
    for _ in range(250):  # the third commit follows the third handling
        if int(await redis_client.get(redis_keys.done(resident)) or 0) == 3:
            break
        await asyncio.sleep(0.02)
    worker.stop()
    await task
    assert held_while_handling == [True, True, True]
    assert int(await redis_client.get(redis_keys.done(resident))) == 3
    assert not await redis_client.exists(redis_keys.lock(resident))  # released by the last commit
