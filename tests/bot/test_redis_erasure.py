"""After わたしのデータを消す or a refused consent, Redis names no resident and holds none of
their words: every key, value, hash field and stream entry is read back from the real Redis
(tests/support/redis_traces.py), in every encoding the bot could use."""

from __future__ import annotations

import asyncio
import time

from bot.aof import REWRITE_WANTED
from bot.deadletters import DeadLetter, DeadLetters
from bot.intake import STREAM, event_id
from bot.outbox import Outbox
from bot.residents import keyed_hash
from flows import redis_keys
from flows.catalogue import load_catalogue
from tests.bot.test_flows_e2e import Resident, _answer
from tests.flows.conftest import t
from tests.flows.test_conversation import SCRIPTS
from tests.support.line import text_event, user_id
from tests.support.redis_traces import traces

FIRST, MOVES, _CENTRE = SCRIPTS["debt"]
# What the resident wrote in the debt script, as the conversation state keeps it, and words
# of their own in a dead letter.
KEPT = [FIRST, "200万円", "小岩"]
OWN = "夫に内緒で借りた50万円がつらい"
WORDS = [*KEPT, "返済が大変です", "200万円くらい", OWN]


async def _settled(client) -> None:
    """Every event handled and every answer delivered (the stream and outbox empty)."""
    deadline = time.monotonic() + 10
    outbox = Outbox(client, known_ttl_s=60, useful_s=60)
    while time.monotonic() < deadline:
        if await client.xlen(STREAM) == 0 and await outbox.pending() == 0:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("events or answers still pending")


async def _dead_letter(client, user: str, words: str) -> DeadLetter:
    """A dead letter as the worker makes one for an event that kept failing (encrypted)."""
    event = text_event(user, words)
    letter = DeadLetter(
        id=f"event:{event_id(event)}", kind="event", reason="handler_error", created_ms=int(time.time() * 1000),
        resident_hash=keyed_hash("test-hash-key", f"user:{user}"), payload=event, attempts=3,
    )
    await DeadLetters(client, ttl_s=3600, outbox=Outbox(client, known_ttl_s=60, useful_s=60)).add(letter)
    return letter


async def _mid_flow(resident: Resident, client) -> None:
    """The debt flow up to the consent; its answers are in Redis (the search finds them)."""
    await resident.say(FIRST)
    await _answer(resident, MOVES)
    await _settled(client)
    before = "\n".join(await traces(client, KEPT))
    assert all(words in before for words in KEPT), before


async def test_erasure_mid_flow_leaves_no_trace_in_redis(bot, redis_client):
    resident, stranger = Resident(bot), user_id()
    await _mid_flow(resident, redis_client)
    mine = await _dead_letter(redis_client, resident.user, OWN)
    theirs = await _dead_letter(redis_client, stranger, "ほかの人の言葉")
    await resident.say("わたしのデータを消す")
    await resident.tap(t("conversation.delete_yes"))
    assert t("conversation.deleted") in resident.texts()
    await _settled(redis_client)

    assert await traces(redis_client, [resident.user, *WORDS]) == []
    assert not await redis_client.exists("tsunagu:dead:" + mine.id)
    assert await redis_client.exists("tsunagu:dead:" + theirs.id)  # only the resident's go
    assert await redis_client.exists(REWRITE_WANTED)  # and the AOF is compacted soon (bot.aof)


async def test_erasure_after_a_case_leaves_no_trace_in_redis(bot, redis_client):
    resident = Resident(bot)
    await _mid_flow(resident, redis_client)
    await resident.tap(t("consent.agree"))
    await resident.tap(t("summary.send"))
    await resident.tap_first_slot()
    await resident.tap(t("contact.phone"))
    await resident.say("080-1111-2222")
    await _dead_letter(redis_client, resident.user, OWN)
    await resident.say("わたしのデータを消す")
    await resident.tap(t("conversation.delete_yes"))
    await _settled(redis_client)

    assert await traces(redis_client, [resident.user, *WORDS, "08011112222", "080-1111-2222"]) == []
    assert await redis_client.zcard("tsunagu:dead-index") == 0


async def test_refused_consent_leaves_no_trace_in_redis(bot, redis_client):
    resident = Resident(bot)
    await _mid_flow(resident, redis_client)
    await _dead_letter(redis_client, resident.user, OWN)
    await resident.tap(t("consent.refuse"))
    await _settled(redis_client)

    assert await traces(redis_client, [resident.user, *WORDS]) == []
    assert await redis_client.zcard("tsunagu:dead-index") == 0
    assert await redis_client.exists(REWRITE_WANTED)


async def test_key_names_carry_a_keyed_hash_not_the_line_id(bot, redis_client):
    resident = Resident(bot)
    await resident.say(FIRST)
    await _settled(redis_client)
    names = [key.decode() async for key in redis_client.scan_iter(count=500)]
    assert not [name for name in names if resident.user in name or "user:" in name]
    tag = redis_keys.tag(f"user:{resident.user}")
    assert {redis_keys.seq(tag), redis_keys.done(tag), redis_keys.conversation(tag)} <= set(names)
    assert tag != redis_keys.tag(f"user:{user_id()}") and redis_keys.tag(tag) == tag


async def test_erasure_forgets_the_picked_language_which_alone_outlives_a_conversation(bot, redis_client):
    resident, en = Resident(bot), load_catalogue("en")
    key = redis_keys.language(f"user:{resident.user}")
    await resident.say("English")
    await resident.say("stop")
    await _settled(redis_client)
    assert await redis_client.get(key) in ("en", b"en")  # remembered after the conversation ended
    assert not await redis_client.exists(redis_keys.conversation(f"user:{resident.user}"))
    await resident.say(FIRST)  # a new conversation, answered in the picked language
    assert en.text("flows.debt.ack") in resident.texts()
    await resident.say("delete my data")
    await resident.tap(en.text("conversation.delete_yes"))
    assert en.text("conversation.deleted") in resident.texts()
    await _settled(redis_client)
    assert not await redis_client.exists(key)
    assert await traces(redis_client, [resident.user, FIRST]) == []
