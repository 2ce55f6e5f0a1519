"""The webhook: signatures, conformance with every sample event, redelivery."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.intake import STREAM
from flows import redis_keys
from flows.catalogue import load_catalogue
from handoff.directory import load_directory
from tests.support.line import fixture_events, text_event, user_id
from tests.support.waiting import wait_until

CATALOGUE = load_catalogue()
EVENTS = fixture_events()


async def test_missing_signature_is_refused_and_nothing_stored(bot, redis_client):
    response = await bot.post(text_event(user_id(), "こんにちは"), signature=None)
    assert response.status_code == 401
    assert await redis_client.xlen(STREAM) == 0


async def test_forged_signature_is_refused_and_nothing_stored(bot, redis_client):
    response = await bot.post(text_event(user_id(), "こんにちは"), signature="Zm9yZ2VkIQ==")
    assert response.status_code == 401
    assert await redis_client.xlen(STREAM) == 0
    await asyncio.sleep(0.3)
    assert bot.fake.deliveries == []


async def test_signature_of_another_body_is_refused(bot):
    from tests.support.line import sign, webhook_body

    other = sign(webhook_body(text_event(user_id(), "別の本文")))
    response = await bot.post(text_event(user_id(), "こんにちは"), signature=other)
    assert response.status_code == 401


def _expected(event: dict) -> str | None:
    """The catalogue key a resident should get back, or None for silence."""
    source = event["source"]["type"]
    kind = event["type"]
    if source in ("group", "room"):
        return "group.one_to_one" if kind in ("message", "join", "memberJoined", "postback") else None
    if kind == "follow":
        return "welcome"
    if kind == "message":
        return {
            "text": "conversation.choose",  # "Hello, world" is a greeting: what is troubling you? (in English)
            "location": "media.location",
        }.get(event["message"]["type"], "media.ask_words")
    if kind == "postback":
        return "conversation.unclear_button"  # action=buyItem&...: not one of ours
    if kind == "messageEdited":
        return "media.edited"
    return None  # unfollow, leave, memberLeft, unsend, beacon, accountLink, videoPlayComplete, unknown


@pytest.mark.parametrize("index", range(len(EVENTS)), ids=[f"{i}-{e['type']}" for i, e in enumerate(EVENTS)])
async def test_every_sample_event_gets_200_and_the_expected_answer(bot, index):
    event = dict(EVENTS[index])
    chat = event["source"].get("groupId") or event["source"].get("roomId") or event["source"].get("userId")
    if "replyToken" in event:
        event["replyToken"] = bot.fake.issue_reply_token(chat)
        # As LINE sends it now: the samples' 2016 timestamps would make the token too old to use.
        event["timestamp"] = int(time.time() * 1000)
    response = await bot.post(event)
    assert response.status_code == 200
    assert response.json() == {"accepted": 1, "duplicates": 0, "ignored": 0}
    expected = _expected(event)
    if expected is None:
        await asyncio.sleep(0.5)  # give the worker time to (wrongly) answer
        assert bot.fake.deliveries == []
    else:
        await wait_until(lambda: bot.fake.deliveries)
        texts = bot.fake.texts_for(chat)
        # The samples' one text ("Hello, world") is English, so it is answered in English.
        catalogue = load_catalogue("en") if expected == "conversation.choose" else CATALOGUE
        want = catalogue.text(expected, ward_name=load_directory("edogawa").ward_name)
        assert want in texts, texts
        # Answered by reply, the free way, whenever LINE gave a token.
        assert bot.fake.deliveries[0].kind == ("reply" if "replyToken" in event else "push")
    assert bot.fake.rejected == []


async def test_redelivered_event_is_handled_once(bot):
    user = user_id()
    event = text_event(user, "相談したいです", reply_token=bot.fake.issue_reply_token(user))
    first = await bot.post(event)
    redelivered = dict(event, deliveryContext={"isRedelivery": True})
    second = await bot.post(redelivered)
    assert first.json() == {"accepted": 1, "duplicates": 0, "ignored": 0}
    assert second.status_code == 200
    assert second.json() == {"accepted": 0, "duplicates": 1, "ignored": 0}
    await wait_until(lambda: bot.fake.deliveries)
    await asyncio.sleep(0.5)
    assert len(bot.fake.messages_for(user)) == 1


async def test_unfollow_drops_conversation_state(bot, redis_client):
    user = user_id()
    await redis_client.set(redis_keys.conversation(f"user:{user}"), '{"flow": "debt"}')
    unfollow = {
        "type": "unfollow",
        "mode": "active",
        "timestamp": int(time.time() * 1000),
        "source": {"type": "user", "userId": user},
        "webhookEventId": "unf-" + user,
        "deliveryContext": {"isRedelivery": False},
    }
    assert (await bot.post(unfollow)).status_code == 200
    for _ in range(100):
        if not await redis_client.exists(redis_keys.conversation(f"user:{user}")):
            break
        await asyncio.sleep(0.05)
    assert not await redis_client.exists(redis_keys.conversation(f"user:{user}"))


async def test_ack_is_fast_even_when_line_is_slow(bot):
    """The webhook answers before handling: a hanging Messaging API does not delay it."""
    from bot.dev.line_api import Fault

    user = user_id()
    bot.fake.inject("reply", Fault(status=0, delay_s=3))
    response = await bot.post(text_event(user, "こんにちは", reply_token=bot.fake.issue_reply_token(user)))
    assert response.status_code == 200
    assert response.elapsed.total_seconds() < 0.5


async def test_signed_event_the_sdk_cannot_model_is_acknowledged_and_ignored(bot, redis_client):
    odd = {"type": "message", "source": {"type": "user", "userId": user_id()}, "webhookEventId": "odd-1",
           "timestamp": int(time.time() * 1000)}
    response = await bot.post(odd)
    assert response.status_code == 200
    assert response.json()["accepted"] == 1
    for _ in range(100):
        if await redis_client.xlen(STREAM) == 0:
            break
        await asyncio.sleep(0.05)
    assert await redis_client.xlen(STREAM) == 0  # handled (ignored) and acknowledged
    assert bot.fake.deliveries == []


async def test_signed_body_that_is_not_a_payload_gets_400(bot):
    from tests.support.line import sign

    body = b'{"destination": "U1"}'
    response = await bot.http.post(
        f"{bot.url}/callback", content=body, headers={"X-Line-Signature": sign(body)}
    )
    assert response.status_code == 400


async def test_logs_carry_neither_message_text_nor_line_user_id(bot, capfd):
    from bot.logs import configure_logging

    configure_logging("INFO")
    user = user_id()
    secret_text = "借金が300万円あって返せません"
    await bot.post(text_event(user, secret_text, reply_token=bot.fake.issue_reply_token(user)))
    await bot.post(text_event(user, secret_text), signature="Zm9yZ2Vk")
    await wait_until(lambda: bot.fake.messages_for(user))
    out, err = capfd.readouterr()
    logs = out + err
    assert "event.handling" in logs  # the worker did log this event...
    assert user not in logs  # ...under a pseudonym only
    assert secret_text not in logs and "300万円" not in logs
    configure_logging("WARNING")
