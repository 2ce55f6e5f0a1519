"""Handoff records: case numbers, encryption at rest, returning residents, erasure."""

from __future__ import annotations

import base64
import re

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text

from handoff import slots
from handoff.cases import (
    CaseNotOpen,
    Consent,
    InvalidPhone,
    add_resident_message,
    create_handoff,
    erase_resident,
    normalise_phone,
    open_case_for,
    set_status,
)
from handoff.directory import load_directory
from handoff.models import SlotBooking
from handoff.routing import route
from tests.handoff.conftest import NOW

USER = "U4af4980629ed27ab9c5c3b0f4e1c2d3a"
SUMMARY = "母（82）の介護と、子どもの子育てが重なって、仕事を休みがちです"
PHONE = "090-1234-5678"


async def _create(session, *, user: str = USER, slot=None, situations=("double_care",)):
    chosen = route(load_directory("edogawa"), situations=list(situations), facts={}, urgent=False)
    return await create_handoff(
        session,
        route=chosen,
        situations=list(situations),
        summary=SUMMARY,
        answers={"who_needs_care": "母", "free_text": SUMMARY},
        consent=Consent(scope=["share_with_centres"], text_version="consent-2026-11", at=NOW),
        contact_method="phone",
        phone=PHONE,
        line_user_id=user,
        callback_slot=slot,
        now=NOW,
    )


async def test_handoff_record_holds_the_case(sessions) -> None:
    async with sessions() as session, session.begin():
        slot = (
            await slots.free_slots(
                session, load_directory("edogawa").centre("nagomi"), limit=1, now=NOW
            )
        )[0]
        case = await _create(session, slot=slot.start)
    assert re.fullmatch(r"E-2612-0001", case.case_number)
    assert case.primary_centre == "nagomi" and case.multi_agency
    assert case.centre_codes == ["nagomi", "jukunen", "kodomo"]
    assert case.status == "new" and case.urgency == "normal"
    assert case.callback_slot == slot.start
    assert case.consent_text_version == "consent-2026-11" and case.consented_at == NOW
    async with sessions() as session:
        found = await open_case_for(session, USER)
        assert found is not None and found.case_number == case.case_number
        assert found.phone == "09012345678" and found.line_user_id == USER
        assert found.answers["who_needs_care"] == "母"
        assert await open_case_for(session, "Usomeone-else") is None


async def test_personal_data_is_ciphertext_in_the_raw_columns(
    sessions, encryption_key: str
) -> None:
    async with sessions() as session, session.begin():
        await _create(session)
    async with sessions() as session:
        row = (
            await session.execute(
                text("SELECT summary, answers, phone, line_user_id, line_user_hash FROM handoffs")
            )
        ).one()
    raw = " ".join(str(value) for value in row)
    for secret in (SUMMARY, "母", "09012345678", "1234", USER):
        assert secret not in raw
    fernet = Fernet(encryption_key.encode())
    assert fernet.decrypt(row.summary.encode()).decode() == SUMMARY
    assert fernet.decrypt(row.line_user_id.encode()).decode() == USER
    assert base64.urlsafe_b64decode(row.phone)[0] == 0x80  # Fernet version byte
    assert re.fullmatch(r"[0-9a-f]{64}", row.line_user_hash)


async def test_resident_adds_a_message_to_the_open_case(sessions) -> None:
    async with sessions() as session, session.begin():
        case = await _create(session)
        message = await add_resident_message(session, case.id, "電話は夕方だと助かります")
        assert message.body == "電話は夕方だと助かります"
    async with sessions() as session:
        body = await session.scalar(text("SELECT body FROM handoff_messages"))
        assert "夕方" not in body
    async with sessions() as session, session.begin():
        await set_status(session, case.id, "closed")
    async with sessions() as session, session.begin():
        with pytest.raises(CaseNotOpen):
            await add_resident_message(session, case.id, "もう一度")
        assert await open_case_for(session, USER) is None


async def test_erase_wipes_open_cases_and_frees_the_slot(sessions) -> None:
    centre = load_directory("edogawa").centre("nagomi")
    async with sessions() as session, session.begin():
        slot = (await slots.free_slots(session, centre, limit=1, now=NOW))[0]
        open_case = await _create(session, slot=slot.start)
        await add_resident_message(session, open_case.id, "追加のメッセージ")
        closed_case = await _create(session)
        await set_status(session, closed_case.id, "closed")
        other = await _create(session, user="Uother")
    async with sessions() as session, session.begin():
        erased = await erase_resident(session, USER)
    assert erased == [open_case.case_number]
    async with sessions() as session:
        rows = {
            row.id: row
            for row in await session.execute(
                text(
                    "SELECT id, status, summary, answers, phone, line_user_id, line_user_hash, erased_at FROM handoffs"
                )
            )
        }
        assert rows[open_case.id].status == "erased" and rows[open_case.id].erased_at is not None
        assert all(
            getattr(rows[open_case.id], col) is None
            for col in ("summary", "answers", "phone", "line_user_id", "line_user_hash")
        )
        assert (
            rows[closed_case.id].summary is not None
        )  # closed cases follow the ward's records rules
        assert rows[other.id].status == "new" and rows[other.id].summary is not None
        assert await session.scalar(text("SELECT count(*) FROM handoff_messages")) == 0
        assert await session.scalar(text("SELECT count(*) FROM slot_bookings")) == 0
        assert await open_case_for(session, USER) is None
        assert [s.start for s in await slots.free_slots(session, centre, limit=1, now=NOW)] == [
            slot.start
        ]
        assert await session.get(SlotBooking, 1) is None


async def test_slot_taken_keeps_nothing(sessions) -> None:
    centre = load_directory("edogawa").centre("nagomi")
    async with sessions() as session, session.begin():
        slot = (await slots.free_slots(session, centre, limit=1, now=NOW))[0]
        for _ in range(centre.capacity):
            await slots.book(session, centre, start=slot.start, now=NOW)
        with pytest.raises(slots.SlotTaken):
            await _create(session, slot=slot.start)
        assert await session.scalar(text("SELECT count(*) FROM handoffs")) == 0
        assert await session.scalar(text("SELECT count(*) FROM slot_bookings")) == centre.capacity


@pytest.mark.parametrize(
    ("raw", "digits"),
    [
        ("090-1234-5678", "09012345678"),
        ("０８０１２３４５６７８", "08012345678"),
        ("+81 90 1234 5678", "09012345678"),
        ("03-5662-0000", "0356620000"),
        ("(03)1234-5678", "0312345678"),
        ("050-1234-5678", "05012345678"),
    ],
)
def test_japanese_phone_numbers_are_accepted(raw: str, digits: str) -> None:
    assert normalise_phone(raw) == digits


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "1234",
        "090-1234-567",
        "03-1234-56789",
        "0120-123-456",
        "0570-123-456",
        "abc",
        "00-1234-5678",
        "110",
    ],
)
def test_other_numbers_are_refused(raw: str) -> None:
    with pytest.raises(InvalidPhone):
        normalise_phone(raw)
