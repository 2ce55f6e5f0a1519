"""Infrastructure outages never lose or duplicate an answer, and never make dead letters:
PostgreSQL refusing or hung (a proxy in front of it), Redis killed -9 and restarted (a
redis-server of the test's own, AOF fsync always), a worker killed -9 while the survivor's
slots are busy. A danger message during a database outage still gets the emergency lines."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx

from bot.dev.line_api import Fault
from bot.intake import GROUP, STREAM, EventIntake
from bot.services import Services
from flows import redis_keys
from tests.bot.conftest import RunningBot
from tests.bot.test_exactly_once import _handoffs, running
from tests.bot.test_worker import _worker_env
from tests.conftest import POSTGRES_URL
from tests.support.line import text_event, user_id
from tests.support.proxy import FaultyProxy, faulty_proxy
from tests.support.redis_server import own_redis
from tests.support.waiting import wait_until

FIRST_WORDS = "借金が返せなくて困っています"  # reads the database (a returning resident's case?)


@asynccontextmanager
async def behind_proxy(fake_line: Any, **overrides: Any) -> AsyncIterator[tuple[RunningBot, Services, FaultyProxy]]:
    """The bot with its database reached through a proxy that can refuse or hang."""
    async with faulty_proxy("127.0.0.1", 5432) as proxy:
        url = POSTGRES_URL.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
        async with running(fake_line, database_url=url, db_connect_timeout_s=1, db_pool_timeout_s=1,
                           **overrides) as (bot, services):
            yield bot, services, proxy


async def _say(bot: RunningBot, users: list[str], words: str = FIRST_WORDS) -> None:
    for user in users:
        response = await bot.post(text_event(user, words, reply_token=bot.fake.issue_reply_token(user)))
        assert response.status_code == 200  # the webhook needs only Redis


def _answered_once(bot: RunningBot, users: list[str]) -> bool:
    return all(len(bot.fake.messages_for(u)) == 1 for u in users)


async def _each_answered_once_without_dead_letters(bot: RunningBot, services: Services, users: list[str]) -> None:
    await wait_until(lambda: _answered_once(bot, users), timeout=40)
    await asyncio.sleep(0.5)  # a second answer would arrive meanwhile
    assert _answered_once(bot, users)
    assert await services.dead_letters.count() == 0  # an outage, not a bug


async def test_a_database_refusing_connections_leaves_events_pending_then_answers_each_once(
    redis_client, fake_line, clean_database
):
    async with behind_proxy(fake_line) as (bot, services, database):
        await database.refuse()
        users = [user_id() for _ in range(4)]
        await _say(bot, users)
        await asyncio.sleep(2.5)  # handling fails meanwhile, again and again
        assert bot.fake.deliveries == []
        assert (await redis_client.xpending(STREAM, GROUP))["pending"] == len(users)
        await database.forward()
        await _each_answered_once_without_dead_letters(bot, services, users)


async def test_a_hung_database_cannot_wedge_the_worker(redis_client, fake_line, clean_database):
    async with behind_proxy(fake_line, handle_timeout_s=1.5) as (bot, services, database):
        await database.hang()
        users = [user_id() for _ in range(3)]
        await _say(bot, users)
        await asyncio.sleep(3)
        assert bot.fake.deliveries == []
        await database.forward()
        await _each_answered_once_without_dead_letters(bot, services, users)


async def test_a_danger_message_during_a_database_outage_gets_the_lines_and_staff_hear_after(
    redis_client, fake_line, clean_database
):
    async with behind_proxy(fake_line, danger_fallback_after_s=1.0) as (bot, services, database):
        await database.refuse()
        user = user_id()
        await _say(bot, [user], "もう死にたい")
        await wait_until(lambda: bot.fake.messages_for(user), timeout=20)
        assert "0120-279-338" in bot.fake.texts_for(user)[0]
        await database.forward()
        for _ in range(300):
            if await _handoffs(services):
                break
            await asyncio.sleep(0.1)
        (case,) = await _handoffs(services)
        assert case.urgency == "urgent" and "もう死にたい" in (case.summary or "")
        await asyncio.sleep(0.5)
        assert len(bot.fake.messages_for(user)) == 1
        assert await services.dead_letters.count() == 0  # an outage, not a bug


async def test_redis_killed_and_restarted_loses_nothing_and_answers_once(fake_line, clean_database, tmp_path: Path):
    with own_redis(tmp_path) as server:
        async with running(fake_line, redis_url=server.url) as (bot, services):
            users = [user_id() for _ in range(16)]
            events = {u: text_event(u, "こんにちは", reply_token=bot.fake.issue_reply_token(u)) for u in users}
            stored: set[str] = set()

            async def deliver(user: str) -> None:
                """LINE's redelivery: the same event again until the webhook answers 200."""
                for _ in range(200):
                    try:
                        redelivery = dict(events[user], deliveryContext={"isRedelivery": bool(_)})
                        if (await bot.post(redelivery)).status_code == 200:
                            stored.add(user)
                            return
                    except httpx.HTTPError:
                        pass
                    await asyncio.sleep(0.1)

            first = [asyncio.create_task(deliver(u)) for u in users[:8]]
            await asyncio.sleep(0.05)
            server.kill()
            later = [asyncio.create_task(deliver(u)) for u in users[8:]]
            await asyncio.sleep(1.0)
            server.start()
            await asyncio.gather(*first, *later)
            assert stored == set(users)
            await _each_answered_once_without_dead_letters(bot, services, users)


async def test_a_dead_workers_entries_are_taken_over_by_heartbeat_not_idle_time(
    redis_client, fake_line, clean_database
):
    """Worker A dies mid-event; the survivor B (one handling slot, entries of the same
    resident waiting in it) takes A's entries over once A's heartbeat lapses, long before
    the idle-time fallback (ten minutes here) would."""
    fake, fake_url = fake_line
    fake.inject("loading", Fault(status=0, delay_s=60))  # A's first call hangs: stuck mid-event
    env = _worker_env(fake_url) | {"WORKER_HEARTBEAT_S": "2", "RECLAIM_IDLE_MS": "600000"}
    doomed = subprocess.Popen([sys.executable, "-m", "bot", "worker"], env=env)
    try:
        async with running(fake_line, in_process_workers=0, reclaim_idle_ms=600_000, worker_heartbeat_s=2,
                           worker_concurrency=1, worker_lock_lease_s=1.5, loading_after_s=5) as (bot, services):
            for _ in range(600):  # A consumes
                if await redis_client.exists(f"tsunagu:worker:{_consumer_of(doomed)}"):
                    break
                await asyncio.sleep(0.05)
            user = user_id()
            intake = EventIntake(redis_client, 60)
            await intake.accept([text_event(user, "こんにちは", reply_token=fake.issue_reply_token(user))])
            await wait_until(lambda: fake.calls["loading"] == 1, timeout=20)
            survivor = services.worker("survivor")
            running_survivor = asyncio.create_task(survivor.run())
            for words in ("借金があります", "家賃も払えません"):
                await intake.accept([text_event(user, words, reply_token=fake.issue_reply_token(user))])
            await asyncio.sleep(0.5)
            doomed.send_signal(signal.SIGKILL)
            doomed.wait(timeout=10)
            await wait_until(lambda: len(fake.messages_for(user)) == 3, timeout=20)
            await asyncio.sleep(0.5)
            survivor.stop()
            await running_survivor
            assert len(fake.messages_for(user)) == 3
            assert int(await redis_client.get(redis_keys.done(f"user:{user}")) or 0) == 3
            assert (await redis_client.xpending(STREAM, GROUP))["pending"] == 0
    finally:
        if doomed.poll() is None:
            doomed.kill()


def _consumer_of(process: subprocess.Popen[bytes]) -> str:
    import socket

    return f"{socket.gethostname()}-{process.pid}"
