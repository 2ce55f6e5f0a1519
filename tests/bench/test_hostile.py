"""bench/hostile.py's instruments work against the real app (a smoke test, no figures):
the forged body is refused with 413, the webhook load gets its 200s, the login flood gets
refused logins. The benchmark's own numbers come from running it (README)."""

from __future__ import annotations

import asyncio
import os

from bench.harness import SECRET
from bench.hostile import forged_body, login_flood, short_bodies, webhook_load
from bot.app import create_app
from tests.conftest import make_settings
from tests.support.servers import serve


async def test_the_hostile_benchmark_measures_a_running_bot(redis_client, fake_line, clean_database):
    _fake, fake_url = fake_line
    app = create_app(make_settings(line_api_base_url=fake_url, line_channel_secret=SECRET,
                                   in_process_workers=0, forwarded_allow_ips="127.0.0.1"))
    async with serve(app) as url:
        for chunked in (False, True):
            status, seconds, peak = await forged_body(url, os.getpid(), chunked=chunked, mb=4)
            assert status.split()[1] == "413" and seconds > 0 and peak > 0
        latencies = await webhook_load(url, rate=20, seconds=1, bodies=short_bodies(5))
        assert len(latencies) == 20 and all(ms > 0 for ms in latencies)
        stop = asyncio.Event()
        flood = asyncio.create_task(login_flood(url, 2, stop))
        await asyncio.sleep(1)
        stop.set()
        attempts, statuses = await flood
        assert attempts > 0 and set(statuses) <= {401, 429}
