"""Exactly once, end to end (webhook, worker, outbox, fake Messaging API, real Redis and
PostgreSQL): a crash before or after the commit gives the same single answer and the same
case, standby events are not answered, a conversation that crashes on a danger message
still gives the emergency lines and alerts staff, dead letters are counted, listed,
encrypted and replayed."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI, Request
from sqlalchemy import func, select

from bot.app import create_app
from bot.dev.line_api import Fault
from bot.intake import GROUP, STREAM
from bot.outbox import Commit
from bot.services import Services
from bot.worker import StreamWorker
from flows import redis_keys
from flows.catalogue import load_catalogue
from handoff.db import session_factory
from handoff.models import EventLog, Handoff, SlotBooking
from handoff.staff_models import CaseWork
from tests.bot.conftest import RunningBot
from tests.bot.test_flows_e2e import Resident, _answer
from tests.conftest import POSTGRES_URL, REDIS_URL, make_settings
from tests.support.conversation import SCRIPTS, t
from tests.support.line import ACCESS_TOKEN, SECRET, text_event, user_id
from tests.support.servers import serve
from tests.support.waiting import wait_until

CASE_NUMBER = re.compile(r"E-\d{4}-\d{4}")


@asynccontextmanager
async def running(fake_line: Any, **overrides: Any) -> AsyncIterator[tuple[RunningBot, Services]]:
    fake, fake_url = fake_line
    app = create_app(make_settings(line_api_base_url=fake_url, **overrides))
    async with serve(app) as url, httpx.AsyncClient(timeout=10) as http:
        yield RunningBot(url=url, http=http, fake=fake), app.state.services


@asynccontextmanager
async def staff_webhook() -> AsyncIterator[tuple[str, list[dict[str, Any]]]]:
    """A stand-in for the ward's alerting endpoint (settings.staff.webhook_url)."""
    received: list[dict[str, Any]] = []
    app = FastAPI()

    @app.post("/alert")
    async def alert(request: Request) -> dict[str, str]:
        received.append(await request.json())
        return {}

    async with serve(app) as url:
        yield f"{url}/alert", received


async def _count(services: Services, model: Any, *where: Any) -> int:
    async with session_factory(services.db_engine)() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def test_a_crash_before_the_commit_gives_one_answer_and_one_case(redis_client, fake_line, clean_database):
    """The turn that creates the case ran (case, booking and statistics row written), then
    the commit failed: handled again, it finds its recorded effects and answers once."""
    async with running(fake_line) as (bot, services):
        first, moves, _centre = SCRIPTS["debt"]
        resident = Resident(bot)
        await resident.say(first)
        await _answer(resident, moves)
        await resident.tap(t("consent.agree"))
        await resident.tap(t("summary.send"))
        await resident.tap_first_slot()
        await resident.tap(t("contact.phone"))

        commit = services.outbox.commit
        failed: list[str] = []

        async def crash_once(change: Commit) -> int:
            parts = json.dumps(change.message.parts, ensure_ascii=False) if change.message else ""
            if CASE_NUMBER.search(parts) and not failed:
                failed.append(CASE_NUMBER.search(parts).group())  # type: ignore[union-attr]
                raise ConnectionError("worker lost Redis before its commit")
            return await commit(change)

        services.outbox.commit = crash_once  # type: ignore[method-assign]
        await resident.say("080-1111-2222")
        await asyncio.sleep(0.5)  # a second answer would arrive meanwhile
    assert len(failed) == 1
    confirmations = [text for text in bot.fake.texts_for(resident.user) if CASE_NUMBER.search(text)]
    assert len(confirmations) == 1 and failed[0] in confirmations[0]
    (case,) = await _handoffs(services)
    assert case.case_number == failed[0]
    assert await _count(services, SlotBooking) == 1
    await services.maintenance.apply_records()  # statistics rows are written after the turn
    assert await _count(services, EventLog, EventLog.outcome == "handoff") == 1


async def _handoffs(services: Services) -> list[Handoff]:
    async with session_factory(services.db_engine)() as session:
        return list((await session.scalars(select(Handoff))).all())


async def test_a_crash_after_the_commit_is_delivered_by_the_loop_once(redis_client, fake_line, clean_database):
    """The worker committed and died before sending: the outbox loop sends it, and the
    stream entry coming back (reclaimed, or replayed) is only acknowledged."""
    async with running(fake_line, in_process_workers=0) as (bot, services):
        user = user_id()
        worker = StreamWorker(services.redis, services.dispatcher, consumer="dies-after-commit",
                              outbox=services.outbox, block_ms=50, deliver=None)
        task = asyncio.create_task(worker.run())
        event = text_event(user, "こんにちは", reply_token=bot.fake.issue_reply_token(user))
        await bot.post(event)
        for _ in range(200):
            if await redis_client.get(redis_keys.done(f"user:{user}")):
                break
            await asyncio.sleep(0.02)
        assert bot.fake.deliveries == []  # committed, not sent
        assert await services.outbox.head(f"user:{user}") is not None
        # The same entry again (as a reclaim would bring it): acknowledged, not handled.
        await redis_client.xadd(STREAM, {"resident": f"user:{user}", "seq": 1, "event": json.dumps(event)})
        delivery = asyncio.create_task(services.deliverer.run())
        await wait_until(lambda: bot.fake.messages_for(user), timeout=10)
        await asyncio.sleep(0.5)
        worker.stop()
        services.deliverer.stop()
        await asyncio.gather(task, delivery)
    assert [d.kind for d in bot.fake.messages_for(user)] == ["reply"]  # its token was still young
    assert (await redis_client.xpending(STREAM, GROUP))["pending"] == 0
    assert await redis_client.xlen(STREAM) == 0


async def test_standby_events_are_acknowledged_and_not_answered(bot, redis_client):
    user = user_id()
    event = dict(text_event(user, "こんにちは", reply_token=bot.fake.issue_reply_token(user)), mode="standby")
    assert (await bot.post(event)).status_code == 200
    for _ in range(100):
        if await redis_client.xlen(STREAM) == 0 and await redis_client.get(redis_keys.done(f"user:{user}")):
            break
        await asyncio.sleep(0.05)
    assert await redis_client.xlen(STREAM) == 0
    await asyncio.sleep(0.3)
    assert bot.fake.deliveries == []
    assert not await redis_client.exists(redis_keys.conversation(f"user:{user}"))


def _crash_on_text(services: Services) -> None:
    """A bug in the conversation: every text message raises (``del`` the attribute to fix it)."""

    async def crash(resident: str, text: str) -> Any:
        raise RuntimeError("a bug in the conversation")

    services.dispatcher._conversation.on_text = crash  # type: ignore[method-assign]


async def test_a_conversation_crashing_on_a_danger_message_still_gives_the_lines_and_alerts_staff(
    redis_client, fake_line, clean_database
):
    async with staff_webhook() as (hook, alerts), running(fake_line, staff_webhook_url=hook) as (bot, services):

        _crash_on_text(services)
        user = user_id()
        await bot.post(text_event(user, "もう死にたい", reply_token=bot.fake.issue_reply_token(user)))
        await wait_until(lambda: bot.fake.messages_for(user), timeout=15)
        (delivery,) = bot.fake.messages_for(user)
        assert "110" in delivery.messages[0]["text"] and "0120-279-338" in delivery.messages[0]["text"]
        await wait_until(lambda: alerts, timeout=30)  # the staff notifier: codes only
        cases = await _handoffs(services)
        assert [(c.urgency, c.primary_centre) for c in cases] == [("urgent", "nagomi")]
        assert "もう死にたい" in (cases[0].summary or "")
        assert alerts[0]["event"] == "urgent_case" and alerts[0]["case_number"] == cases[0].case_number
        assert "死にたい" not in json.dumps(alerts, ensure_ascii=False)
        (letter,) = await services.dead_letters.all()
        assert letter.reason == "answered_by_last_resort"
        await asyncio.sleep(0.5)
        assert len(bot.fake.messages_for(user)) == 1
        # The bug fixed, the dead letter replayed: the full answer (with the offer) follows.
        del services.dispatcher._conversation.on_text
        assert await services.dead_letters.replay(letter.id) == "event_requeued"
        await wait_until(lambda: len(bot.fake.messages_for(user)) == 2, timeout=15)
        assert t("danger.offer") in bot.fake.texts_for(user)


async def test_the_last_resort_lines_and_the_alerted_case_are_in_the_language_written(
    redis_client, fake_line, clean_database
):
    async with staff_webhook() as (hook, alerts), running(fake_line, staff_webhook_url=hook) as (bot, services):

        _crash_on_text(services)
        user = user_id()
        await bot.post(text_event(user, "I want to die", reply_token=bot.fake.issue_reply_token(user)))
        await wait_until(lambda: bot.fake.messages_for(user), timeout=15)
        (delivery,) = bot.fake.messages_for(user)
        lines = delivery.messages[0]["text"]
        assert lines.startswith(load_catalogue("en").text("danger.guidance"))
        assert lines.index("03-5774-0992") < lines.index("0570-783-556")  # a line in English first
        await wait_until(lambda: alerts, timeout=30)
        (case,) = await _handoffs(services)
        assert (case.urgency, case.language, case.interpreter_needed) == ("urgent", "en", True)


async def test_a_danger_answer_lines_cannot_deliver_alerts_staff_and_goes_out_after(
    redis_client, fake_line, clean_database
):
    async with staff_webhook() as (hook, alerts), running(
        fake_line, staff_webhook_url=hook, danger_alert_after_s=1.0, delivery_backoff_cap_s=1.0
    ) as (bot, services):
        bot.fake.inject("reply", *[Fault(status=500)] * 200)
        bot.fake.inject("push", *[Fault(status=500)] * 200)
        user = user_id()
        await bot.post(text_event(user, "死にたい", reply_token=bot.fake.issue_reply_token(user)))
        await wait_until(lambda: alerts, timeout=30)
        (case,) = await _handoffs(services)
        assert case.urgency == "urgent" and "死にたい" in (case.summary or "")
        for _ in range(100):  # the notifier commits its claim after posting the alert
            if await _count(services, CaseWork, CaseWork.notified_at.is_not(None)):
                break
            await asyncio.sleep(0.05)
        assert await _count(services, CaseWork, CaseWork.notified_at.is_not(None)) == 1
        assert bot.fake.deliveries == []
        bot.fake.faults.clear()  # LINE is back
        await wait_until(lambda: bot.fake.messages_for(user), timeout=15)
        await asyncio.sleep(0.5)
        (delivery,) = bot.fake.messages_for(user)
        assert "0120-279-338" in delivery.messages[0]["text"]
        assert len(alerts) == 1


async def test_a_danger_alert_case_is_in_the_language_the_resident_was_answered_in(
    redis_client, fake_line, clean_database
):
    async with staff_webhook() as (hook, alerts), running(
        fake_line, staff_webhook_url=hook, danger_alert_after_s=1.0, delivery_backoff_cap_s=1.0
    ) as (bot, services):
        user = user_id()
        await bot.post(text_event(user, "한국어", reply_token=bot.fake.issue_reply_token(user)))  # chosen
        await wait_until(lambda: bot.fake.messages_for(user), timeout=15)
        bot.fake.inject("reply", *[Fault(status=500)] * 200)
        bot.fake.inject("push", *[Fault(status=500)] * 200)
        await bot.post(text_event(user, "I want to die", reply_token=bot.fake.issue_reply_token(user)))
        await wait_until(lambda: alerts, timeout=30)
        (case,) = await _handoffs(services)
        # Korean, as answered (the words alone would say English).
        assert (case.urgency, case.language, case.interpreter_needed) == ("urgent", "ko", True)
        bot.fake.faults.clear()
        await wait_until(lambda: len(bot.fake.messages_for(user)) == 2, timeout=15)
        assert bot.fake.messages_for(user)[1].messages[0]["text"].startswith(
            load_catalogue("ko").text("danger.guidance"))


async def test_a_dead_event_is_counted_listed_encrypted_and_replayed(redis_client, fake_line, clean_database):
    async with running(fake_line, metrics_allow_ips="127.0.0.1") as (bot, services):
        conversation = services.dispatcher._conversation
        on_text = conversation.on_text

        async def crash(resident: str, text: str) -> Any:
            raise RuntimeError("a bug in the conversation")

        conversation.on_text = crash  # type: ignore[method-assign]
        user = user_id()
        words = "借金が300万円あります"
        await bot.post(text_event(user, words))
        for _ in range(200):
            if await services.dead_letters.count():
                break
            await asyncio.sleep(0.05)
        (letter,) = await services.dead_letters.all()
        assert (letter.kind, letter.reason, letter.attempts) == ("event", "handler_error", 3)
        raw = await redis_client.hgetall(f"tsunagu:dead:{letter.id}")
        assert words.encode() not in b"".join(raw.values()) and user.encode() not in b"".join(raw.values())
        await services.maintenance.refresh_gauges()
        metrics = (await bot.http.get(f"{bot.url}/metrics")).text
        assert "tsunagu_dead_letters_waiting 1.0" in metrics
        assert 'tsunagu_dead_letters_total{kind="event",reason="handler_error"}' in metrics

        listed = await asyncio.to_thread(_cli, "list")
        assert listed.returncode == 0, listed.stderr
        (shown,) = [json.loads(line) for line in listed.stdout.splitlines()]
        assert shown["id"] == letter.id and shown["reason"] == "handler_error"
        assert words not in listed.stdout and user not in listed.stdout

        conversation.on_text = on_text  # type: ignore[method-assign]  # the bug is fixed
        replayed = await asyncio.to_thread(_cli, "replay", "--all")
        assert json.loads(replayed.stdout) == {"id": letter.id, "replayed": "event_requeued"}
        await wait_until(lambda: bot.fake.messages_for(user), timeout=15)
        assert t("flows.debt.ack") in bot.fake.texts_for(user)
        assert await services.dead_letters.count() == 0


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(
        os.environ, REDIS_URL=REDIS_URL, DATABASE_URL=POSTGRES_URL, LINE_CHANNEL_SECRET=SECRET,
        LINE_CHANNEL_ACCESS_TOKEN=ACCESS_TOKEN, LOG_HASH_KEY="test-hash-key",
        ENCRYPTION_KEY=make_settings().security.encryption_key.get_secret_value(), LOG_LEVEL="WARNING",
    )
    return subprocess.run([sys.executable, "-m", "bot", "dead-letters", *args], env=env,
                          capture_output=True, text=True, timeout=60)
