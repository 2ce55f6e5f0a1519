"""The fake Messaging API's control endpoints, over real loopback HTTP."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import httpx
import pytest

from bot.dev.fault_proxy import FaultProxy
from bot.dev.line_api import FakeLineApi
from bot.dev.line_control import FrontDoor, build_process_app
from tests.support.line import ACCESS_TOKEN
from tests.support.servers import free_port, serve

AUTH = {"Authorization": f"Bearer {ACCESS_TOKEN}"}
PUSH = {"to": "Uresident", "messages": [{"type": "text", "text": "こんにちは"}]}


@pytest.fixture
async def fake() -> AsyncIterator[tuple[str, str]]:
    """(API URL through the front door, control URL straight to the fake)."""
    control_port = free_port()
    door = FrontDoor(await FaultProxy("127.0.0.1", control_port).start())
    async with serve(build_process_app(FakeLineApi(ACCESS_TOKEN), door), control_port) as control:
        yield f"http://127.0.0.1:{door.proxy.port}", control
    await door.proxy.aclose()


async def test_fail_answers_the_status_until_cleared(fake: tuple[str, str]) -> None:
    api, control = fake
    async with httpx.AsyncClient() as http:
        await http.post(f"{control}/_control/fail", json={"status": 429, "seconds": 60, "retry_after": 5})
        refused = await http.post(f"{api}/v2/bot/message/push", json=PUSH, headers=AUTH)
        await http.post(f"{control}/_control/clear")
        delivered = await http.post(f"{api}/v2/bot/message/push", json=PUSH, headers=AUTH)
        stats = (await http.get(f"{control}/_control/stats")).json()

    assert refused.status_code == 429 and refused.headers["retry-after"] == "5"
    assert delivered.status_code == 200
    assert stats["failed"] == {"429": 1} and stats["deliveries"] == 1


async def test_refuse_resets_kept_alive_connections_and_refuses_new_ones(fake: tuple[str, str]) -> None:
    api, control = fake
    async with httpx.AsyncClient() as kept_alive, httpx.AsyncClient() as operator:
        assert (await kept_alive.post(f"{api}/v2/bot/message/push", json=PUSH, headers=AUTH)).status_code == 200
        await operator.post(f"{control}/_control/refuse", json={"seconds": 60})

        with pytest.raises(httpx.TransportError):  # the kept-alive connection was reset
            await kept_alive.post(f"{api}/v2/bot/message/push", json=PUSH, headers=AUTH)
        async with httpx.AsyncClient() as newcomer:
            with pytest.raises(httpx.ConnectError):
                await newcomer.post(f"{api}/v2/bot/message/push", json=PUSH, headers=AUTH)
        assert (await operator.get(f"{control}/_control/stats")).status_code == 200

        await operator.post(f"{control}/_control/clear")
        assert (await kept_alive.post(f"{api}/v2/bot/message/push", json=PUSH, headers=AUTH)).status_code == 200


async def test_registered_reply_tokens_and_the_delivery_report(fake: tuple[str, str]) -> None:
    api, control = fake
    reply = {
        "replyToken": "token-1",
        "messages": [{
            "type": "text", "text": "どなたのことですか",
            "quickReply": {"items": [{"type": "action", "action": {
                "type": "postback", "label": "自分", "data": "a=answer&s=who&v=self", "displayText": "自分"}}]},
        }],
    }
    async with httpx.AsyncClient() as http:
        await http.post(f"{control}/_control/reply_tokens",
                        json={"tokens": [{"token": "token-1", "chat": "Uresident", "issued_at": time.time()}]})
        first = await http.post(f"{api}/v2/bot/message/reply", json=reply, headers=AUTH)
        again = await http.post(f"{api}/v2/bot/message/reply", json=reply, headers=AUTH)
        report = (await http.get(f"{control}/_control/deliveries", params={"after": 0})).json()

    assert first.status_code == 200 and again.status_code == 400  # single use
    [delivery] = report["deliveries"]
    assert delivery["kind"] == "reply" and delivery["chat"] == "Uresident"
    assert delivery["reply_token"] == "token-1" and delivery["texts"] == ["どなたのことですか"]
    assert delivery["buttons"] == [{"type": "postback", "label": "自分", "data": "a=answer&s=who&v=self"}]


async def test_staff_alerts_are_recorded(fake: tuple[str, str]) -> None:
    _, control = fake
    async with httpx.AsyncClient() as http:
        await http.post(f"{control}/_control/staff_alerts", json={"case_number": "T-1", "urgency": "urgent"})
        alerts = (await http.get(f"{control}/_control/staff_alerts")).json()

    assert [a["payload"]["case_number"] for a in alerts] == ["T-1"]
