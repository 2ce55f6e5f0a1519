"""The "no open case" marker through the running bot (``handoff.open_cases``): the worker
reads it with the resident's lease and keeps it with the turn, and a case the resident
opens is seen at their next first message."""

from __future__ import annotations

from flows import redis_keys
from handoff import open_cases
from tests.bot.test_flows_e2e import Resident, _answer, _handoffs
from tests.support.conversation import SCRIPTS, t


async def test_a_case_opened_is_seen_at_the_next_first_message(bot, clean_database, redis_client):
    first, moves, _centre = SCRIPTS["debt"]
    resident = Resident(bot)
    await resident.say(first)
    conversation = f"user:{resident.user}"
    assert await redis_client.get(open_cases.marker_key(conversation)) is not None  # "none", kept
    await _answer(resident, moves)
    await resident.tap(t("consent.agree"))
    await resident.tap(t("summary.send"))
    await resident.tap_first_slot()
    await resident.tap(t("contact.line"))
    (handoff,) = await _handoffs(clean_database)
    # The conversation forgotten (it expired): the next message is a first message again.
    await redis_client.delete(redis_keys.conversation(conversation), redis_keys.seen(conversation))
    await resident.say(first)
    assert handoff.case_number in resident.texts()
