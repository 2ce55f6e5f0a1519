"""Outgoing messages against the strict fake Messaging API: fallback, retries, 409."""

from __future__ import annotations

import asyncio
import time

from linebot.v3.messaging import AsyncApiClient, AsyncMessagingApi, Configuration

from bot.dev.line_api import Fault
from bot.messenger import DELIVERED, Messenger, line_api_client
from tests.support.line import ACCESS_TOKEN, text_event, user_id
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


async def test_a_quick_answer_goes_out_without_the_loading_animation(bot):
    user = user_id()
    await bot.post(text_event(user, "こんにちは", reply_token=bot.fake.issue_reply_token(user)))
    await wait_until(lambda: bot.fake.messages_for(user))
    await asyncio.sleep(1.0)  # past Settings.loading_after_s: a late animation would show now
    assert bot.fake.loading == []
    assert bot.fake.calls["loading"] == 0


def _messenger(fake_url: str) -> tuple[Messenger, AsyncApiClient]:
    client = AsyncApiClient(Configuration(host=fake_url, access_token=ACCESS_TOKEN))
    return Messenger(AsyncMessagingApi(client)), client


async def test_slow_work_shows_the_loading_animation_before_the_answer(fake_line):
    fake, fake_url = fake_line
    messenger, client = _messenger(fake_url)
    user = user_id()
    try:
        async with messenger.loading_while_slow(user, after_s=0.05):
            await asyncio.sleep(0.4)  # the work: slower than after_s
        assert fake.loading == [{"chatId": user, "loadingSeconds": 5}]  # already at LINE
        assert fake.deliveries == []
    finally:
        await client.close()


async def test_an_animation_already_on_its_way_reaches_line_before_the_answer(fake_line):
    fake, fake_url = fake_line
    fake.inject("loading", Fault(status=0, delay_s=0.5))  # LINE is slow to take it
    messenger, client = _messenger(fake_url)
    user = user_id()
    try:
        async with messenger.loading_while_slow(user, after_s=0.05):
            await asyncio.sleep(0.1)  # work done while the loading call is in flight
        # The answer would be sent now: the animation must not start after it.
        assert fake.loading == [{"chatId": user, "loadingSeconds": 5}]
    finally:
        await client.close()


async def test_quick_work_cancels_the_animation_and_zero_shows_it_at_once(fake_line):
    fake, fake_url = fake_line
    messenger, client = _messenger(fake_url)
    quick, eager = user_id(), user_id()
    try:
        async with messenger.loading_while_slow(quick, after_s=0.3):
            await asyncio.sleep(0.01)
        async with messenger.loading_while_slow(eager, after_s=0):
            assert fake.loading == [{"chatId": eager, "loadingSeconds": 5}]
        await asyncio.sleep(0.5)
        assert [call["chatId"] for call in fake.loading] == [eager]
    finally:
        await client.close()


async def test_calls_look_up_no_proxy_or_netrc_per_call_and_keep_the_environments_proxy(
    fake_line, monkeypatch
):
    """line_api_client reads the proxy once: a reply makes no thread hop, and a proxy set in
    the environment is still the one the SDK uses."""
    fake, fake_url = fake_line
    client = line_api_client(fake_url, ACCESS_TOKEN)
    hops: list[object] = []
    loop = asyncio.get_running_loop()
    run_in_executor = loop.run_in_executor
    monkeypatch.setattr(asyncio, "to_thread", lambda *a, **k: hops.append(a) or asyncio.sleep(0, (None, None)))
    monkeypatch.setattr(loop, "run_in_executor", lambda *a: hops.append(a) or run_in_executor(*a))
    user = user_id()
    try:
        result = await Messenger(AsyncMessagingApi(client)).reply(
            fake.issue_reply_token(user), [{"type": "text", "text": "こんにちは"}])
        assert result.verdict == DELIVERED and hops == []
    finally:
        await client.close()
    monkeypatch.setenv("HTTPS_PROXY", "http://user:secret@proxy.example:3128")
    proxied = line_api_client("https://api.line.me", ACCESS_TOKEN)
    try:
        assert proxied.configuration.proxy == "http://proxy.example:3128"
        assert proxied.configuration.proxy_headers["Proxy-Authorization"].startswith("Basic ")
    finally:
        await proxied.close()


async def test_reply_and_push_send_what_the_sdks_generated_methods_send():
    """Messenger goes through the SDK's client one level below the generated methods: the
    request LINE receives (method, path, auth, content type, retry key, JSON body) must be
    the one ``reply_message`` and ``push_message`` would have sent."""
    from aiohttp import web
    from linebot.v3.messaging import PushMessageRequest, ReplyMessageRequest

    seen: list[tuple[str, str, dict[str, str], object]] = []

    async def record(request: web.Request) -> web.Response:
        wanted = ("Authorization", "Content-Type", "Accept", "X-Line-Retry-Key")
        headers = {name: request.headers[name] for name in wanted if name in request.headers}
        seen.append((request.method, request.path, headers, await request.json()))
        return web.json_response({"sentMessages": [{"id": "1", "quoteToken": "q"}]})

    app = web.Application()
    app.router.add_post("/v2/bot/message/{kind}", record)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    client = AsyncApiClient(Configuration(host=f"http://127.0.0.1:{port}", access_token=ACCESS_TOKEN))
    api = AsyncMessagingApi(client)
    messages = [
        {"type": "text", "text": "ご相談ありがとうございます。"},
        {"type": "template", "altText": "えらんでください",
         "template": {"type": "buttons", "text": "どちらですか",
                      "actions": [{"type": "postback", "label": "はい", "data": "a=1", "displayText": "はい"}]}},
    ]
    try:
        messenger = Messenger(api)
        assert (await messenger.reply("token-1", messages)).verdict == DELIVERED
        await api.reply_message(ReplyMessageRequest.from_dict({"replyToken": "token-1", "messages": messages}))
        assert (await messenger.push("U" + "0" * 32, messages, "7f1e4c2a-1b2c-4d5e-8f90-123456789abc")).verdict == DELIVERED
        await api.push_message(PushMessageRequest.from_dict({"to": "U" + "0" * 32, "messages": messages}),
                               x_line_retry_key="7f1e4c2a-1b2c-4d5e-8f90-123456789abc")
    finally:
        await client.close()
        await runner.cleanup()
    ours_reply, sdk_reply, ours_push, sdk_push = seen
    assert ours_reply == sdk_reply
    assert ours_push == sdk_push
    assert ours_reply[2]["Authorization"] == f"Bearer {ACCESS_TOKEN}"
    assert ours_push[2]["X-Line-Retry-Key"] == "7f1e4c2a-1b2c-4d5e-8f90-123456789abc"
    assert ours_reply[3] == {"replyToken": "token-1", "messages": messages, "notificationDisabled": False}
