"""The desk's contract (``flows.ports.Desk``), held on the real adapter (``handoff.desk`` on
PostgreSQL) and on the in-memory double tests/flows uses: the same calls give the same
answers, so a conversation test on the double says something about the real desk."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from flows.language import Voices
from flows.ports import CaseRequest, Desk, NotYourCase, PhoneRefused, SlotUnavailable
from handoff.desk import HandoffDesk
from handoff.directory import load_directory
from tests.support.conversation import NOW, Clock
from tests.support.memory import MemoryDesk

EDOGAWA = load_directory("edogawa")
RESIDENT = "user:U" + "c" * 32
OTHER = "user:U" + "d" * 32


@pytest.fixture(params=["postgresql", "memory"])
def desk(request: pytest.FixtureRequest, clock: Clock) -> Desk:
    if request.param == "memory":
        return MemoryDesk(EDOGAWA, clock)
    return HandoffDesk(directory=EDOGAWA, sessions=request.getfixturevalue("sessions"), clock=clock)


def _request(*, slot: datetime | None, phone: str | None = "090-1234-5678", resident: str = RESIDENT) -> CaseRequest:
    return CaseRequest(
        resident=resident, flow="debt", situations=["debt"], facts={}, answers={"金額": "200万円"},
        summary="借金の相談", contact_method="phone" if phone else "line", phone=phone, urgent=False,
        slot_start=slot, consent_version="v1", consent_scope=["share_with_centres"], consented_at=NOW,
    )


async def test_routing_slots_and_booking_days_agree(desk: Desk):
    routing = desk.route(situations=["debt", "hikikomori"], facts={}, urgent=False)
    assert routing.multi_agency and routing.centre.code == EDOGAWA.rules.coordinator
    first, last = desk.booking_days("kurashigoto")
    assert first == NOW.date() and last > first
    day = NOW.date() + timedelta(days=6)
    on_day = await desk.free_slots_on("kurashigoto", day)
    assert on_day and all(s.astimezone(NOW.tzinfo).date() == day for s in on_day)
    assert await desk.free_slots_on("kurashigoto", NOW.date() + timedelta(days=3)) == []  # Saturday
    assert (await desk.free_slots("kurashigoto", limit=3))[0] > NOW


async def test_a_case_books_its_slot_until_the_places_run_out(desk: Desk):
    centre = EDOGAWA.centre("kurashigoto")
    (slot,) = await desk.free_slots("kurashigoto", limit=1)
    for n in range(centre.capacity):
        receipt = await desk.create_case(_request(slot=slot, resident=f"user:U{n:032d}"))
        assert receipt.slot_start == slot and receipt.centre_name == centre.name
        assert receipt.staffed_from == NOW
    with pytest.raises(SlotUnavailable):
        await desk.create_case(_request(slot=slot))
    assert slot not in await desk.free_slots("kurashigoto", limit=50)


async def test_a_free_dial_number_is_refused(desk: Desk):
    with pytest.raises(PhoneRefused):
        await desk.create_case(_request(slot=None, phone="0120-123-456"))


async def test_open_case_messages_move_cancel_and_erase(desk: Desk):
    first, second = (await desk.free_slots("kurashigoto", limit=2))
    receipt = await desk.create_case(_request(slot=first, phone=None))
    number = receipt.case_number
    opened = await desk.open_case_for(RESIDENT)
    assert opened is not None and (opened.case_number, opened.status) == (number, "new")
    assert await desk.open_case_for(OTHER) is None
    assert await desk.add_message(RESIDENT, number, "よろしくお願いします")
    assert not await desk.add_message(OTHER, number, "他人の相談に書き込む")
    booked = await desk.booked_case(RESIDENT, number)
    assert booked is not None and booked.slot_start == first and booked.contact_method == "line"
    assert await desk.booked_case(OTHER, number) is None
    assert await desk.move_callback(RESIDENT, number, second) == second
    assert first in await desk.free_slots("kurashigoto", limit=2)  # the old place is free again
    with pytest.raises(NotYourCase):
        await desk.move_callback(OTHER, number, first)
    assert await desk.cancel_callback(RESIDENT, number) == second
    moved_back = await desk.booked_case(RESIDENT, number)
    assert moved_back is not None and moved_back.slot_start is None
    assert await desk.erase_resident(RESIDENT) == 1
    assert await desk.open_case_for(RESIDENT) is None
    assert await desk.booked_case(RESIDENT, number) is None


@pytest.mark.parametrize("language", ["en", "ja-easy", "vi", "ja"])
async def test_centre_facts_come_in_the_language_of_the_turn(desk: Desk, language: str):
    centre = EDOGAWA.centre("kurashigoto")
    with Voices.speaking(language):
        assert desk.ward_name == EDOGAWA.ward_name_in(language)
        routing = desk.route(situations=["debt"], facts={"age": 70}, urgent=False)
        assert routing.centre.name == centre.name_in(language)
        assert routing.centre.hours == centre.shown("hours", language)
        assert routing.centre.phone == centre.shown("phone", language)
        assert routing.involved == (centre.name_in(language), EDOGAWA.centre("jukunen").name_in(language))
        (slot,) = await desk.free_slots("kurashigoto", limit=1)
        receipt = await desk.create_case(_request(slot=slot, phone=None))
        assert receipt.centre_name == centre.name_in(language)
        opened = await desk.open_case_for(RESIDENT)
        booked = await desk.booked_case(RESIDENT, receipt.case_number)
        assert opened is not None and opened.centre_name == centre.name_in(language)
        assert booked is not None and booked.centre_name == centre.name_in(language)
    if language != "ja":
        assert centre.name_in(language) != centre.name
    with Voices.speaking(None):  # outside a resident's turn: Japanese
        assert desk.ward_name == EDOGAWA.ward_name
