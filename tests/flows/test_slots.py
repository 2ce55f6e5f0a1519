"""The slot picker (flows.slots) in the flow's slot phase and in a reminder's move: a chosen
day is paged within LINE's 13 quick replies until its last free slot, and 「変えない」 is
never pushed out."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flows import postback
from flows.limits import QUICK_REPLIES_MAX
from flows.reminders import Reminder
from flows.slots import TOKYO, chosen_slot
from tests.flows.conftest import CATALOGUE, NOW, Chat, t
from tests.support.conversation import to_summary

TUESDAY = NOW.date() + timedelta(days=6)  # a working day for every centre


def _slots_shown(chat: Chat) -> list[datetime]:
    found = [chosen_slot(postback.decode(b.data or "")) for b in chat.buttons() if b.pick is None]
    return [slot for slot in found if slot is not None]


async def _page_through(chat: Chat) -> list[datetime]:
    """Every slot offered for the picked day, tapping 「もっと後の時間」 until it is gone."""
    seen: list[datetime] = []
    for _ in range(20):
        assert len(chat.buttons()) <= QUICK_REPLIES_MAX, [b.label for b in chat.buttons()]
        seen += _slots_shown(chat)
        if t("slot.later") not in [b.label for b in chat.buttons()]:
            return seen
        await chat.tap(t("slot.later"))
    raise AssertionError("the pages never ended")


async def _to_slot_phase(chat: Chat) -> None:
    await to_summary(chat, "debt")
    await chat.tap(t("summary.send"))


async def test_a_day_is_paged_to_its_last_slot_and_that_slot_can_be_booked(chat, desk):
    await _to_slot_phase(chat)
    day_slots = await desk.free_slots_on("kurashigoto", TUESDAY)
    assert len(day_slots) > QUICK_REPLIES_MAX - 1  # more than one page: the case the issue names
    await chat.pick_date(TUESDAY)
    assert await _page_through(chat) == day_slots
    last = next(b for b in chat.buttons() if chosen_slot(postback.decode(b.data or "")) == day_slots[-1])
    await chat.tap(last.label)
    await chat.tap(t("contact.line"))
    (case,) = desk.cases.values()
    assert case.slot_start == day_slots[-1]


async def test_a_page_past_the_day_offers_the_next_free_slots_again(chat):
    await _to_slot_phase(chat)
    data = postback.encode("day", d=TUESDAY.isoformat(), p="9")
    chat.last = await chat.conversation.on_postback(chat.resident, data, None)
    assert chat.texts() == t("slot.none_that_day")
    assert _slots_shown(chat) and any(b.pick == "date" for b in chat.buttons())


async def _booked_and_reminded(chat: Chat, desk) -> tuple[str, datetime]:
    await _to_slot_phase(chat)
    await chat.tap_first_slot()
    await chat.tap(t("contact.line"))
    (case,) = desk.cases.values()
    assert case.slot_start is not None
    chat.last = chat.conversation.reminder(Reminder("day_before", case.number, "くらしごと", case.slot_start, "line"))
    return case.number, case.slot_start


async def test_moving_a_reminded_callback_pages_the_day_and_keeps_no_change(chat, desk):
    number, booked = await _booked_and_reminded(chat, desk)
    await chat.tap(t("reminder.move"))
    assert [b.label for b in chat.buttons()][-1] == t("reminder.no_change")
    day: date = TUESDAY
    day_slots = await desk.free_slots_on("kurashigoto", day)
    await chat.pick_date(day)
    labels = [b.label for b in chat.buttons()]
    assert len(labels) <= QUICK_REPLIES_MAX and labels[-1] == t("reminder.no_change"), labels
    assert await _page_through(chat) == day_slots
    assert [b.label for b in chat.buttons()][-1] == t("reminder.no_change")
    last = next(b for b in chat.buttons() if chosen_slot(postback.decode(b.data or "")) == day_slots[-1])
    await chat.tap(last.label)
    assert desk.cases[number].slot_start == day_slots[-1] != booked


async def test_no_change_on_a_paged_day_keeps_the_booking(chat, desk):
    number, booked = await _booked_and_reminded(chat, desk)
    await chat.tap(t("reminder.move"))
    await chat.pick_date(TUESDAY)
    await chat.tap(t("slot.later"))
    await chat.tap(t("reminder.no_change"))
    assert desk.cases[number].slot_start == booked
    local = booked.astimezone(TOKYO)
    when = t("slot.when", month=local.month, day=local.day, weekday=CATALOGUE.weekday(local.weekday()),
             hour=local.hour, minute=local.minute)
    assert chat.texts().startswith(t("reminder.not_changed", when=when).splitlines()[0])
