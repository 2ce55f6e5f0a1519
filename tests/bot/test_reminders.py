"""Callback reminders end to end: the scheduler of a running bot sends through the outbox to
the fake Messaging API from real PostgreSQL, exactly once (repeat ticks, two schedulers, a
crash before the commit, LINE down), each send with its own X-Line-Retry-Key, and the
resident's keep / move / cancel taps come back through /callback."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from linebot.v3.messaging import AsyncApiClient, AsyncMessagingApi, Configuration
from sqlalchemy import select

from bot.app import create_app
from bot.delivery import Deliverer, DeliverySettings
from bot.dev.line_api import FakeLineApi, Fault
from bot.messenger import Messenger
from bot.outbox import OutboxMessage, retry_key
from bot.reminders import ReminderScheduler
from bot.services import Services
from flows.catalogue import load_catalogue
from flows.conversation import Conversation
from flows.state import StateStore
from handoff import cases, slots
from handoff.db import session_factory
from handoff.desk import HandoffDesk
from handoff.directory import load_directory
from handoff.models import Handoff, SlotBooking
from handoff.reminders import DueReminder
from handoff.routing import route
from handoff.staff_models import CaseEntry
from tests.bot.conftest import RunningBot
from tests.bot.test_flows_e2e import Resident, _actions
from tests.conftest import make_settings
from tests.support.line import ACCESS_TOKEN, postback_event, user_id
from tests.support.servers import serve
from tests.support.waiting import wait_until

EDOGAWA = load_directory("edogawa")
CENTRE = EDOGAWA.centre("kurashigoto")
T = load_catalogue()


@dataclass
class Running:
    bot: RunningBot
    services: Services
    fake_url: str

    @property
    def fake(self) -> FakeLineApi:
        return self.bot.fake

    @property
    def scheduler(self) -> ReminderScheduler:
        assert self.services.reminders is not None
        return self.services.reminders


@pytest.fixture
async def running(redis_client, fake_line, clean_database) -> AsyncIterator[Running]:
    fake, fake_url = fake_line
    # A long interval: the background loop ticks once at start-up; the tests tick by hand.
    app = create_app(make_settings(line_api_base_url=fake_url, reminder_interval_s=3600))
    async with serve(app) as url, httpx.AsyncClient(timeout=10) as http:
        yield Running(RunningBot(url=url, http=http, fake=fake), app.state.services, fake_url)


class CrashAfterEnqueue(Exception):
    pass


class CrashingScheduler(ReminderScheduler):
    """Dies after the reminder went into the outbox and before the claim is committed."""

    async def _enqueue(self, message: OutboxMessage) -> None:
        await super()._enqueue(message)
        raise CrashAfterEnqueue


@pytest.fixture
async def another(running: Running) -> AsyncIterator:
    """Build schedulers as another worker process would: own LINE client, own conversation."""
    clients: list[AsyncApiClient] = []

    def build(cls: type[ReminderScheduler] = ReminderScheduler) -> ReminderScheduler:
        sessions = session_factory(running.services.db_engine)
        assert running.services.understander is not None
        conversation = Conversation(
            state=StateStore(running.services.redis, 3600), catalogue=T,
            understander=running.services.understander,
            desk=HandoffDesk(directory=EDOGAWA, sessions=sessions),
        )
        client = AsyncApiClient(Configuration(host=running.fake_url, access_token=ACCESS_TOKEN))
        clients.append(client)
        services = running.services
        deliverer = Deliverer(
            client=services.redis, outbox=services.outbox, messenger=Messenger(AsyncMessagingApi(client)),
            dead_letters=services.dead_letters, alert=services.deliverer._alert,
            settings=DeliverySettings(backoff_base_s=0.01), hash_of=services.dispatcher.hash_of,
        )
        return cls(sessions=sessions, outbox=services.outbox, deliverer=deliverer, conversation=conversation,
                   directory=EDOGAWA)

    yield build
    for client in clients:
        await client.close()


async def _book_case(running: Running, user: str, *, days_ahead: int = 3, language: str = "ja") -> tuple[str, datetime]:
    """A case of ``user`` with a callback a few days from now (so both reminders are due later)."""
    now = datetime.now(UTC)
    chosen = route(EDOGAWA, situations=["debt"], facts={}, urgent=False)
    async with session_factory(running.services.db_engine)() as session, session.begin():
        (slot,) = await slots.free_slots(session, chosen.primary, after=now + timedelta(days=days_ahead), limit=1, now=now)
        handoff = await cases.create_handoff(
            session, route=chosen, situations=["debt"], summary="借金の相談", answers={},
            consent=cases.Consent(scope=["share_with_centres"], text_version="v1"),
            contact_method="phone", phone="090-1234-5678", line_user_id=user,
            callback_slot=slot.start, now=now, language=language,
        )
        return handoff.case_number, slot.start


async def _booking(running: Running, case: str) -> SlotBooking | None:
    async with session_factory(running.services.db_engine)() as session:
        handoff = await session.scalar(select(Handoff).where(Handoff.case_number == case))
        assert handoff is not None
        return handoff.booking


async def _bookings_at(running: Running, start: datetime) -> int:
    async with session_factory(running.services.db_engine)() as session:
        return len((await session.scalars(select(SlotBooking).where(SlotBooking.slot_start == start))).all())


def _pushes(fake: FakeLineApi, user: str) -> list:
    return [d for d in fake.messages_for(user) if d.kind == "push"]


def _when(moment: datetime) -> str:
    local = moment.astimezone(slots.TOKYO)
    return T.text("slot.when", month=local.month, day=local.day, weekday=T.text("slot.weekdays")[local.weekday()],
                  hour=local.hour, minute=local.minute)


def _key(booking: SlotBooking, kind: str) -> str:
    """The X-Line-Retry-Key of this booking's reminder send of ``kind``."""
    assert booking.handoff_id is not None
    due = DueReminder(kind, booking.id, booking.handoff_id, booking.centre_code, booking.slot_start, booking.created_at)
    return retry_key(due.send_id, 0)


def test_a_reused_booking_id_gets_another_retry_key():
    """SQLite reuses a deleted booking's id: the next booking's reminder must not reuse its
    X-Line-Retry-Key, or LINE would answer 409 and deliver nothing."""
    start = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)
    first = DueReminder("day_before", 7, 1, "kurashigoto", start, start - timedelta(days=3))
    moved = DueReminder("day_before", 7, 1, "kurashigoto", start + timedelta(days=1), start - timedelta(days=2))
    again = DueReminder("day_before", 7, 1, "kurashigoto", start, start - timedelta(days=1))
    keys = {retry_key(r.send_id, 0) for r in (first, moved, again)}
    assert len(keys) == 3
    assert retry_key(first.send_id, 0) == retry_key(DueReminder(*first.__dict__.values()).send_id, 0)


def _received(resident: Resident) -> None:
    """The resident opens LINE and sees the last push."""
    delivery = _pushes(resident.bot.fake, resident.user)[-1]
    resident.last, resident.seen = delivery.messages, delivery.seq


async def test_day_before_reminder_is_pushed_once_with_its_buttons(running: Running):
    user = user_id()
    case, start = await _book_case(running, user)
    booking = await _booking(running, case)
    assert booking is not None
    assert await running.scheduler.tick(now=start - timedelta(days=2)) == 0  # not due yet
    assert await running.scheduler.tick(now=start - timedelta(hours=23)) == 1
    (push,) = _pushes(running.fake, user)
    assert push.retry_key == _key(booking, "day_before")
    (message,) = push.messages
    assert CENTRE.name in message["text"] and case in message["text"] and _when(start) in message["text"]
    assert T.text("reminder.how.phone") in message["text"]
    actions = _actions(message)
    assert [a["label"] for a in actions] == [T.text("reminder.keep"), T.text("reminder.move"), T.text("reminder.cancel")]
    assert [a["data"] for a in actions] == [f"a=rem&op={op}&c={case}&l=ja" for op in ("keep", "move", "cancel")]
    assert running.fake.rejected == []
    # Later ticks, and a restart (a new scheduler), send nothing more.
    assert await running.scheduler.tick(now=start - timedelta(hours=22)) == 0
    assert len(_pushes(running.fake, user)) == 1


async def test_a_reminder_names_the_centre_in_the_cases_language(running: Running):
    user = user_id()
    case, start = await _book_case(running, user, language="en")
    assert await running.scheduler.tick(now=start - timedelta(hours=23)) == 1
    (push,) = _pushes(running.fake, user)
    (message,) = push.messages
    en = load_catalogue("en")
    assert message["text"].startswith(en.text("reminder.day_before").split("{")[0])
    assert CENTRE.name_in("en") in message["text"] and CENTRE.name not in message["text"]


async def test_hour_before_reminder_follows(running: Running):
    user = user_id()
    case, start = await _book_case(running, user)
    await running.scheduler.tick(now=start - timedelta(hours=23))
    assert await running.scheduler.tick(now=start - timedelta(minutes=30)) == 1
    day, hour = _pushes(running.fake, user)
    assert T.text("reminder.hour_before").splitlines()[0] in hour.messages[0]["text"]
    assert day.retry_key != hour.retry_key
    assert await running.scheduler.tick(now=start - timedelta(minutes=10)) == 0
    assert len(_pushes(running.fake, user)) == 2


async def test_two_schedulers_at_once_send_once(running: Running, another):
    user = user_id()
    _, start = await _book_case(running, user)
    now = start - timedelta(hours=23)
    counts = await asyncio.gather(another().tick(now=now), another().tick(now=now), running.scheduler.tick(now=now))
    assert sorted(counts) == [0, 0, 1]
    assert len(_pushes(running.fake, user)) == 1 and running.fake.calls["push"] == 1


async def test_a_crash_before_commit_queues_it_once_and_the_resident_sees_one(running: Running, another):
    user = user_id()
    case, start = await _book_case(running, user)
    now = start - timedelta(hours=23)
    with pytest.raises(CrashAfterEnqueue):
        await another(CrashingScheduler).tick(now=now)
    booking = await _booking(running, case)
    assert booking is not None and booking.day_before_sent_at is None  # the claim was rolled back
    assert await another().tick(now=now) == 1  # claimed again: already queued, not queued twice
    await wait_until(lambda: _pushes(running.fake, user))
    await asyncio.sleep(0.5)  # a second copy would arrive meanwhile
    (push,) = _pushes(running.fake, user)
    assert push.retry_key == _key(booking, "day_before")
    assert running.fake.calls["push"] == 1
    booking = await _booking(running, case)
    assert booking is not None and booking.day_before_sent_at is not None
    assert await another().tick(now=now) == 0 and running.fake.calls["push"] == 1


async def test_a_blocked_resident_is_not_retried_and_staff_see_it_on_the_case(running: Running, another):
    user = user_id()
    case, start = await _book_case(running, user)
    running.fake.inject("push", Fault(status=403, body={"message": "The user has blocked the account"}))
    assert await another().tick(now=start - timedelta(hours=23)) == 1
    booking = await _booking(running, case)
    assert booking is not None and booking.day_before_sent_at is not None
    assert await another().tick(now=start - timedelta(hours=22)) == 0
    await asyncio.sleep(0.5)  # a retry would come meanwhile
    assert running.fake.calls["push"] == 1 and _pushes(running.fake, user) == []
    (letter,) = await running.services.dead_letters.all()
    assert (letter.kind, letter.reason, letter.payload["kind"]) == ("delivery", "line_403", "reminder")
    await running.services.maintenance.apply_records()
    async with session_factory(running.services.db_engine)() as session:
        handoff = await session.scalar(select(Handoff).where(Handoff.case_number == case))
        assert handoff is not None
        notes = (await session.scalars(select(CaseEntry).where(CaseEntry.handoff_id == handoff.id))).all()
    assert [(n.kind, n.meta["reason"]) for n in notes] == [("undelivered", "line_403")]


async def test_line_down_the_outbox_retries_and_the_reminder_goes_once(running: Running, another):
    user = user_id()
    case, start = await _book_case(running, user)
    running.fake.inject("push", *[Fault(status=500) for _ in range(4)])
    assert await another().tick(now=start - timedelta(hours=23)) == 1
    booking = await _booking(running, case)
    assert booking is not None and booking.day_before_sent_at is not None  # claimed: the outbox has it
    assert await another().tick(now=start - timedelta(hours=22)) == 0
    await wait_until(lambda: _pushes(running.fake, user), timeout=30)
    await asyncio.sleep(0.5)
    assert len(_pushes(running.fake, user)) == 1 and running.fake.calls["push"] == 5


async def test_keep_through_callback(running: Running):
    resident = Resident(running.bot)
    case, start = await _book_case(running, resident.user)
    await running.scheduler.tick(now=start - timedelta(hours=23))
    _received(resident)
    await resident.tap(T.text("reminder.keep"))
    assert resident.texts() == T.text("reminder.kept", when=_when(start))
    booking = await _booking(running, case)
    assert booking is not None and booking.slot_start == start


async def test_move_through_callback_books_the_new_slot_frees_the_old_and_reminds_again(running: Running):
    resident = Resident(running.bot)
    case, start = await _book_case(running, resident.user)
    await running.scheduler.tick(now=start - timedelta(hours=23))
    _received(resident)
    await resident.tap(T.text("reminder.move"))
    await resident.tap(T.text("slot.other_day"), params={"date": (start + timedelta(days=7)).date().isoformat()})
    slot = next(a for m in resident.last for a in _actions(m) if a.get("data", "").startswith("a=rem&op=slot"))
    new_start = datetime.strptime(slot["data"].rsplit("v=", 1)[1], "%Y%m%dT%H%MZ").replace(tzinfo=UTC)
    await resident.tap(slot["label"])
    assert resident.texts() == T.text("reminder.moved", when=_when(new_start), centre=CENTRE.name, case=case)
    booking = await _booking(running, case)
    assert booking is not None and booking.slot_start == new_start
    assert await _bookings_at(running, start) == 0  # the old place is free again
    # The new booking has reminders of its own.
    assert await running.scheduler.tick(now=new_start - timedelta(hours=23)) == 1
    assert _pushes(running.fake, resident.user)[-1].retry_key == _key(booking, "day_before")
    assert _when(new_start) in _pushes(running.fake, resident.user)[-1].messages[0]["text"]


async def test_cancel_through_callback_frees_the_place_and_stops_reminders(running: Running):
    resident = Resident(running.bot)
    case, start = await _book_case(running, resident.user)
    await running.scheduler.tick(now=start - timedelta(hours=23))
    _received(resident)
    await resident.tap(T.text("reminder.cancel"))
    assert resident.texts() == T.text("reminder.cancel_ask", when=_when(start))
    await resident.tap(T.text("reminder.cancel_yes"))
    assert resident.texts() == T.text("reminder.cancelled", case=case, centre=CENTRE.name)
    assert await _booking(running, case) is None and await _bookings_at(running, start) == 0
    assert await running.scheduler.tick(now=start - timedelta(minutes=30)) == 0
    assert len(_pushes(running.fake, resident.user)) == 1


async def test_someone_elses_reminder_button_does_nothing(running: Running):
    owner = user_id()
    case, start = await _book_case(running, owner)
    stranger = Resident(running.bot)
    data = f"a=rem&op=cancel&c={case}"
    token = running.fake.issue_reply_token(stranger.user)
    replies: list[dict[str, Any]] = await stranger._send(postback_event(stranger.user, data, reply_token=token))
    assert [m["text"] for m in replies] == [T.text("reminder.invalid")]
    booking = await _booking(running, case)
    assert booking is not None and booking.slot_start == start
