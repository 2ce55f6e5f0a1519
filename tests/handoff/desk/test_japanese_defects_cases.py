"""The Japanese defects of issue 10 where the database holds the proof: 「ごろごろ」 after a
reminder kept, and a free-dial number refused while a callable one is stored."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from handoff.models import Handoff
from tests.handoff.desk.test_reminders import _book_case, _remind
from tests.support.conversation import t
from tests.support.conversation import to_phone_question as _to_phone_question


async def test_keeping_the_reminded_time_says_goro_once(chat, sessions):
    case, start = await _book_case(sessions, chat.resident)
    _remind(chat, case, start)
    await chat.tap(t("reminder.keep"))
    assert chat.texts().count("ごろ") == 1, chat.texts()



@pytest.mark.parametrize("number", ["0120-123-456", "0800-123-4567", "0570-064-556", "０１２０１２３４５６"])
async def test_a_free_dial_number_is_explained_not_called_unreadable(chat, sessions, number):
    await _to_phone_question(chat)
    await chat.say(number)
    assert chat.texts() == t("contact.free_dial")
    assert "0120" in t("contact.free_dial")
    await chat.say("090-1234-5678")  # still asking for the number, and a callable one is taken
    async with sessions() as session:
        handoff = (await session.scalars(select(Handoff))).one()
    assert handoff.phone == "09012345678"
