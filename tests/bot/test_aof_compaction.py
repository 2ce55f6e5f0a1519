"""Erased words leave the disk: after an erasure, the AOF compactor (bot/aof.py) rewrites
Redis's append-only file, and the file no longer holds them.

Against a redis-server of the test's own with production's persistence (appendonly yes,
appendfsync always), and without RDB compression so that text still in the rewritten file
shows plainly (another resident's words, which must still be there, prove it).
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import redis.asyncio as redis

from bot.aof import LAST_REWRITE, REWRITE_WANTED, AofCompactor
from bot.app import create_app
from bot.background import Every
from tests.bot.conftest import RunningBot
from tests.bot.test_flows_e2e import Resident, _answer
from tests.bot.test_redis_erasure import FIRST, KEPT, MOVES
from tests.conftest import make_settings
from tests.flows.conftest import t
from tests.flows.test_conversation import SCRIPTS
from tests.support.redis_server import own_redis
from tests.support.redis_traces import file_traces, traces
from tests.support.servers import serve

OTHER_FIRST, OTHER_MOVES, _ = SCRIPTS["family_8050"]


async def _until(check, timeout: float = 15.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not await check():
        assert time.monotonic() < deadline, "not within the deadline"
        await asyncio.sleep(0.05)


async def test_erased_words_leave_the_append_only_file(tmp_path: Path, fake_line, clean_database):
    fake, fake_url = fake_line
    with own_redis(tmp_path, "--rdbcompression", "no") as server:
        client = redis.Redis.from_url(server.url)
        app = create_app(make_settings(line_api_base_url=fake_url, redis_url=server.url))
        async with serve(app) as url, httpx.AsyncClient(timeout=10) as http:
            bot = RunningBot(url=url, http=http, fake=fake)
            resident, other = Resident(bot), Resident(bot)
            await resident.say(FIRST)
            await _answer(resident, MOVES)
            await other.say(OTHER_FIRST)
            await _answer(other, OTHER_MOVES[:1])
            assert all(words in "\n".join(file_traces(tmp_path, KEPT)) for words in KEPT)
            await resident.say("わたしのデータを消す")
            await resident.tap(t("conversation.delete_yes"))
            assert t("conversation.deleted") in resident.texts()
            assert await traces(client, [resident.user, *KEPT]) == []
            # Deleted in Redis, still on disk until the file is rewritten.
            assert file_traces(tmp_path, KEPT) != []
            assert await client.exists(REWRITE_WANTED)

            # Hourly schedule: only the erasure's request makes this rewrite happen now.
            loop = Every(AofCompactor(client, every_s=3600).step, 0.05, "aof.compaction_failed")
            running = asyncio.create_task(loop.run())
            try:
                await _until(lambda: _gone(tmp_path, [resident.user, *KEPT]))
            finally:
                loop.stop()
                await running
            assert not await client.exists(REWRITE_WANTED) and await client.exists(LAST_REWRITE)
            # The rewritten file still holds what is live: the other resident's words.
            assert file_traces(tmp_path, [OTHER_FIRST]) != []
        await client.aclose()


async def _gone(directory: Path, needles: list[str]) -> bool:
    return file_traces(directory, needles) == []


async def test_the_compactor_rewrites_on_schedule_and_on_request_only(tmp_path: Path, redis_client):
    # The shared test Redis runs without an AOF: nothing to compact.
    assert await AofCompactor(redis_client, every_s=0).step() == "off"
    with own_redis(tmp_path) as server:
        client = redis.Redis.from_url(server.url)
        compactor = AofCompactor(client, every_s=3600, lease_s=0.1)
        assert await compactor.step() == "started"  # never rewritten yet: due
        await _until(lambda: _idle(client))
        await asyncio.sleep(0.15)  # the round's lease lapses
        assert await compactor.step() == "not_due"
        rewrites = int((await client.info("persistence"))["aof_rewrites"])
        await client.set(REWRITE_WANTED, "1")  # as an erasure's commit does
        assert await compactor.step() == "started"
        await _until(lambda: _idle(client))
        assert int((await client.info("persistence"))["aof_rewrites"]) == rewrites + 1
        await client.aclose()


async def _idle(client: redis.Redis) -> bool:
    info = await client.info("persistence")
    return not int(info["aof_rewrite_in_progress"]) and not int(info["aof_rewrite_scheduled"])
