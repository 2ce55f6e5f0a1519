"""Outgoing messages against the strict fake Messaging API: fallback, retries, 409."""

from __future__ import annotations

import time

from bot.dev.line_api import Fault
from tests.support.line import text_event, user_id
from tests.support.waiting import wait_until


async def test_expired_reply_token_falls_back_to_push_exactly_once(bot):
    user = user_id()
    stale = bot.fake.issue_reply_token(user, issued_at=time.time() - 600)
    assert (await bot.post(text_event(user, "こんにちは", reply_token=stale))).status_code == 200
    await wait_until(lambda: bot.fake.messages_for(user))
    deliveries = bot.fake.messages_for(user)
    assert [d.kind for d in deliveries] == ["push"]
    assert deliveries[0].retry_key is not None
    assert [r["message"] for r in bot.fake.rejected] == ["Invalid reply token"]


async def test_push_whose_answer_was_lost_is_retried_and_409_counts_as_delivered(bot):
    user = user_id()
    stale = bot.fake.issue_reply_token(user, issued_at=time.time() - 600)
    bot.fake.inject("push", Fault(status=500, after_success=True))
    await bot.post(text_event(user, "こんにちは", reply_token=stale))
    await wait_until(lambda: bot.fake.calls["push"] >= 2)
    await wait_until(lambda: bot.fake.messages_for(user))
    assert len(bot.fake.messages_for(user)) == 1
    assert bot.fake.calls["push"] == 2  # the retry met 409 and stopped there


async def test_rate_limited_reply_is_retried_after_retry_after(bot):
    user = user_id()
    bot.fake.inject(
        "reply",
        Fault(status=429, body={"message": "Too many requests"}, headers={"Retry-After": "0"}),
        Fault(status=500),
    )
    await bot.post(text_event(user, "こんにちは", reply_token=bot.fake.issue_reply_token(user)))
    await wait_until(lambda: bot.fake.messages_for(user))
    assert [d.kind for d in bot.fake.messages_for(user)] == ["reply"]
    assert bot.fake.calls["reply"] == 3


async def test_loading_animation_is_shown_for_a_one_to_one_message(bot):
    user = user_id()
    await bot.post(text_event(user, "こんにちは", reply_token=bot.fake.issue_reply_token(user)))
    await wait_until(lambda: bot.fake.messages_for(user))
    assert {"chatId": user, "loadingSeconds": 5} in bot.fake.loading
