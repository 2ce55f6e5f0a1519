"""The reminder's keep / move / cancel buttons with the in-process conversation, real
PostgreSQL and Redis, and a fixed clock: what the resident reads and what the database holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from flows import postback
from flows.reminders import Reminder
from handoff import cases, slots
from handoff.directory import load_directory
from handoff.models import Handoff, SlotBooking
from handoff.routing import route
from handoff.staff_models import CaseEntry
from tests.support.conversation import NOW, Chat, t
from tests.support.conversation import to_summary as _to_summary

EDOGAWA = load_directory("edogawa")
CENTRE = EDOGAWA.centre("kurashigoto")
OTHER = "user:Uother000000000000000000000000002"


async def _book_case(sessions, resident: str, *, contact: str = "phone", days_ahead: int = 3) -> tuple[str, datetime]:
    """A debt case handed to くらしごと相談室 with a callback a few days after NOW."""
    chosen = route(EDOGAWA, situations=["debt"], facts={}, urgent=False)
    async with sessions() as session, session.begin():
        (slot,) = await slots.free_slots(session, chosen.primary, after=NOW + timedelta(days=days_ahead), limit=1, now=NOW)
        handoff = await cases.create_handoff(
            session, route=chosen, situations=["debt"], summary="借金の相談", answers={},
            consent=cases.Consent(scope=["share_with_centres"], text_version="v1"),
            contact_method=contact, phone="090-1234-5678" if contact == "phone" else None,
            line_user_id=resident.removeprefix("user:"), callback_slot=slot.start, now=NOW,
        )
        return handoff.case_number, slot.start


def _remind(chat: Chat, case: str, start: datetime, kind: str = "day_before", contact: str = "phone") -> None:
    """Put the pushed reminder in front of the resident, as if it had just arrived."""
    chat.last = chat.conversation.reminder(Reminder(kind, case, CENTRE.name, start, contact))


async def _bookings(sessions) -> list[SlotBooking]:
    async with sessions() as session:
        return list((await session.scalars(select(SlotBooking))).all())


def _when(moment: datetime) -> str:
    local = moment.astimezone(slots.TOKYO)
    return t("slot.when", month=local.month, day=local.day, weekday=t("slot.weekdays")[local.weekday()],
             hour=local.hour, minute=local.minute)


async def test_the_reminder_names_centre_time_case_and_what_happens(chat, sessions):
    case, start = await _book_case(sessions, chat.resident)
    _remind(chat, case, start)
    (message,) = chat.last
    assert CENTRE.name in message.text and case in message.text and _when(start) in message.text
    assert t("reminder.how.phone") in message.text
    assert [b.label for b in chat.buttons()] == [t("reminder.keep"), t("reminder.move"), t("reminder.cancel")]
    assert [postback.decode(b.data or "") for b in chat.buttons()] == [
        {"a": "rem", "op": op, "c": case, "l": "ja"} for op in ("keep", "move", "cancel")
    ]
    _remind(chat, case, start, kind="hour_before", contact="line")
    assert t("reminder.how.line") in chat.texts() and t("reminder.how.phone") not in chat.texts()


async def test_keep_thanks_and_changes_nothing(chat, sessions):
    case, start = await _book_case(sessions, chat.resident)
    _remind(chat, case, start)
    await chat.tap(t("reminder.keep"))
    assert chat.texts().startswith(t("reminder.kept", when=_when(start)).splitlines()[0])
    (booking,) = await _bookings(sessions)
    assert booking.slot_start == start


async def test_move_books_a_new_slot_of_the_same_centre_and_frees_the_old_place(chat, sessions):
    case, start = await _book_case(sessions, chat.resident)
    _remind(chat, case, start)
    await chat.tap(t("reminder.move"))
    assert t("reminder.move_ask", when=_when(start)).splitlines()[0] in chat.texts()
    assert any(b.pick == "date" for b in chat.buttons())
    first = next(b for b in chat.buttons() if (b.data or "").startswith("a=rem&op=slot"))
    new_start = datetime.strptime(postback.decode(first.data or "")["v"], "%Y%m%dT%H%MZ").replace(tzinfo=UTC)
    await chat.tap(first.label)
    assert t("reminder.moved", when=_when(new_start), centre=CENTRE.name, case=case) == chat.texts()
    (booking,) = await _bookings(sessions)
    assert booking.slot_start == new_start != start and booking.centre_code == CENTRE.code
    assert booking.day_before_sent_at is None and booking.hour_before_sent_at is None  # fresh reminders
    async with sessions() as session:
        entry = (await session.scalars(select(CaseEntry))).one()
    assert entry.kind == "reschedule" and entry.meta["by"] == "resident"
    # The same slot button again: the choice is over, nothing moves twice.
    await chat.conversation.on_postback(chat.resident, first.data or "", None)
    assert len(await _bookings(sessions)) == 1


async def test_move_through_the_date_picker(chat, sessions):
    case, start = await _book_case(sessions, chat.resident)
    _remind(chat, case, start)
    await chat.tap(t("reminder.move"))
    day = (start + timedelta(days=7)).date()
    await chat.pick_date(day)
    offered = [b for b in chat.buttons() if (b.data or "").startswith("a=rem&op=slot")]
    assert offered and all(b.label.startswith(f"{day.month}/{day.day}(") for b in offered)
    await chat.tap(offered[-1].label)
    (booking,) = await _bookings(sessions)
    assert booking.slot_start.astimezone(slots.TOKYO).date() == day


async def test_a_slot_taken_meanwhile_keeps_the_old_booking_and_offers_others(chat, sessions):
    case, start = await _book_case(sessions, chat.resident)
    _remind(chat, case, start)
    await chat.tap(t("reminder.move"))
    first = next(b for b in chat.buttons() if (b.data or "").startswith("a=rem&op=slot"))
    wanted = datetime.strptime(postback.decode(first.data or "")["v"], "%Y%m%dT%H%MZ").replace(tzinfo=UTC)
    async with sessions() as session, session.begin():
        for _ in range(CENTRE.capacity):
            await slots.book(session, CENTRE, start=wanted, now=NOW)
    await chat.tap(first.label)
    assert chat.texts() == t("slot.taken")
    assert first.label not in [b.label for b in chat.buttons()]
    async with sessions() as session:
        ours = await session.scalar(select(SlotBooking).where(SlotBooking.handoff_id.is_not(None)))
    assert ours is not None and ours.slot_start == start


async def test_cancel_asks_first_then_frees_the_place_and_keeps_the_case(chat, sessions):
    case, start = await _book_case(sessions, chat.resident)
    _remind(chat, case, start)
    await chat.tap(t("reminder.cancel"))
    assert chat.texts() == t("reminder.cancel_ask", when=_when(start))
    await chat.tap(t("reminder.cancel_no"))
    assert chat.texts() == t("reminder.not_cancelled", when=_when(start))
    assert len(await _bookings(sessions)) == 1

    _remind(chat, case, start)
    await chat.tap(t("reminder.cancel"))
    await chat.tap(t("reminder.cancel_yes"))
    assert chat.texts() == t("reminder.cancelled", case=case, centre=CENTRE.name)
    assert await _bookings(sessions) == []
    async with sessions() as session:
        handoff = (await session.scalars(select(Handoff))).one()
    assert handoff.status == "new"  # the centre still holds the case, as the message says
    # ... and a new time can be chosen right away.
    await chat.tap(t("reminder.new_time"))
    assert chat.texts() == t("reminder.book_ask")
    assert t("reminder.no_change") not in [b.label for b in chat.buttons()]
    await chat.tap(next(b for b in chat.buttons() if (b.data or "").startswith("a=rem&op=slot")).label)
    (booking,) = await _bookings(sessions)
    assert booking.handoff_id == handoff.id


async def test_cancel_can_be_confirmed_in_words(chat, sessions):
    case, start = await _book_case(sessions, chat.resident)
    _remind(chat, case, start)
    await chat.tap(t("reminder.cancel"))
    await chat.say("まだ考え中です")
    assert chat.texts() == t("reminder.cancel_ask", when=_when(start))
    await chat.say("はい")
    assert chat.texts() == t("reminder.cancelled", case=case, centre=CENTRE.name)
    assert await _bookings(sessions) == []


async def test_a_button_for_someone_elses_or_a_closed_case_is_no_longer_valid(chat, sessions):
    case, start = await _book_case(sessions, OTHER)
    _remind(chat, case, start)  # a forwarded reminder: not this resident's case
    for label in (t("reminder.cancel"), t("reminder.move"), t("reminder.keep")):
        _remind(chat, case, start)
        await chat.tap(label)
        assert chat.texts() == t("reminder.invalid")
    mine, my_start = await _book_case(sessions, chat.resident, days_ahead=4)
    async with sessions() as session, session.begin():
        handoff = await session.scalar(select(Handoff).where(Handoff.case_number == mine))
        assert handoff is not None
        await cases.set_status(session, handoff.id, "closed")
    _remind(chat, mine, my_start)
    await chat.tap(t("reminder.cancel"))
    assert chat.texts() == t("reminder.invalid")
    assert len(await _bookings(sessions)) == 2


async def test_danger_comes_first_while_choosing_a_new_time(chat, sessions):
    case, start = await _book_case(sessions, chat.resident)
    _remind(chat, case, start)
    await chat.tap(t("reminder.move"))
    await chat.say("もう死にたい")
    assert t("danger.guidance") in chat.texts()
    (booking,) = await _bookings(sessions)
    assert booking.slot_start == start


async def test_other_words_while_choosing_show_the_times_again(chat, sessions):
    case, start = await _book_case(sessions, chat.resident)
    _remind(chat, case, start)
    await chat.tap(t("reminder.move"))
    offered = [b.label for b in chat.buttons()]
    await chat.say("よくわかりません")
    assert [b.label for b in chat.buttons()] == offered


async def test_a_reminder_tapped_mid_flow_returns_to_the_question(chat, sessions):
    case, start = await _book_case(sessions, chat.resident)
    await chat.say("息子が10年ひきこもっています")
    await chat.tap(t("returning.new"))  # a second, new consultation under way
    question = chat.last[-1].text
    _remind(chat, case, start)
    await chat.tap(t("reminder.move"))
    await chat.tap(next(b for b in chat.buttons() if (b.data or "").startswith("a=rem&op=slot")).label)
    assert chat.last[-1].text == question  # the flow goes on where it was
    await chat.say("32歳")
    assert t("flows.hikikomori.wish.ask") in chat.texts()


async def test_reminder_buttons_survive_a_finished_handoff(chat, sessions):
    """A case made through the whole conversation answers its reminder's buttons."""
    await _to_summary(chat, "debt")
    await chat.tap(t("summary.send"))
    await chat.pick_date((NOW + timedelta(days=6)).date())
    await chat.tap_first_slot()
    await chat.tap(t("contact.line"))
    async with sessions() as session:
        handoff = (await session.scalars(select(Handoff))).one()
        count = await session.scalar(select(func.count()).select_from(SlotBooking))
    assert count == 1 and handoff.callback_slot is not None
    _remind(chat, handoff.case_number, handoff.callback_slot, contact="line")
    await chat.tap(t("reminder.keep"))
    assert t("reminder.kept", when=_when(handoff.callback_slot)) == chat.texts()


async def test_a_reminder_speaks_the_cases_language_and_so_do_its_taps(chat, sessions):
    from flows.catalogue import load_catalogue

    en = load_catalogue("en")
    case, start = await _book_case(sessions, chat.resident)
    chat.last = chat.conversation.reminder(Reminder("day_before", case, CENTRE.name, start, "phone", language="en"))
    (message,) = chat.last
    assert message.text.startswith(en.text("reminder.day_before").split("{")[0])
    assert [b.label for b in chat.buttons()] == [en.text("reminder.keep"), en.text("reminder.move"),
                                                 en.text("reminder.cancel")]
    # No conversation state is left a day later: the button's own language answers the tap.
    await chat.tap(en.text("reminder.move"))
    assert chat.texts().startswith(en.text("reminder.move_ask").split("{")[0])
    await chat.tap(en.text("reminder.no_change"))
    assert chat.texts().startswith(en.text("reminder.not_changed").split("{")[0])
