"""The load generator redelivers as LINE does: same event id, isRedelivery, signed again."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from fastapi import FastAPI, Request, Response

from bench.harness import SECRET
from bench.load import LineSender, Redelivery, text
from tests.support.line import sign
from tests.support.servers import serve

FAST = Redelivery(first_delay_s=0.01, factor=1.0, timeout_s=0.5)


def webhook(answers: list[int], bodies: list[dict[str, Any]], hold: asyncio.Event | None = None) -> FastAPI:
    """Answers the statuses in turn (a hold first, if given), recording each verified body."""
    app = FastAPI()

    @app.post("/callback")
    async def callback(request: Request) -> Response:
        raw = await request.body()
        assert request.headers["x-line-signature"] == sign(raw, SECRET)
        bodies.append(json.loads(raw))
        if hold is not None and len(bodies) == 1:
            await hold.wait()  # never answered in time: LINE gives up on this delivery
        return Response(status_code=answers[min(len(bodies), len(answers)) - 1])

    return app


async def test_a_refused_webhook_comes_again_as_a_redelivery() -> None:
    bodies: list[dict[str, Any]] = []
    async with serve(webhook([503, 500, 200], bodies)) as url, LineSender(f"{url}/callback", FAST) as sender:
        sent = sender.send(text("Uresident", "借金が返せなくて困っています", "first"))
        await sender.drain(time.monotonic() + 30)

    assert sent.attempts == ["503", "500", "200"] and sent.acked
    events = [b["events"][0] for b in bodies]
    assert len({e["webhookEventId"] for e in events}) == 1
    assert [e["deliveryContext"]["isRedelivery"] for e in events] == [False, True, True]
    assert len({e["replyToken"] for e in events}) == 1


async def test_no_answer_within_the_timeout_is_redelivered() -> None:
    bodies: list[dict[str, Any]] = []
    hold = asyncio.Event()
    async with serve(webhook([200], bodies, hold)) as url, LineSender(f"{url}/callback", FAST) as sender:
        sent = sender.send(text("Uresident", "こんにちは", "first"))
        await sender.drain(time.monotonic() + 30)
        hold.set()

    assert sent.attempts[0] == "timeout" and sent.attempts[-1] == "200"
    assert bodies[-1]["events"][0]["deliveryContext"]["isRedelivery"] is True


async def test_without_redelivery_a_refusal_is_final() -> None:
    bodies: list[dict[str, Any]] = []
    policy = Redelivery(enabled=False)
    async with serve(webhook([503], bodies)) as url, LineSender(f"{url}/callback", policy) as sender:
        sent = sender.send(text("Uresident", "こんにちは", "first"))
        await sender.drain(time.monotonic() + 30)

    assert sent.attempts == ["503"] and not sent.acked and len(bodies) == 1
