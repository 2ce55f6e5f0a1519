"""HTTP control of the fake Messaging API run as its own process (``python -m bot.dev.line_api``).

Benchmarks fail the fake on command and read back what it delivered:

- ``POST /_control/fail`` ``{"status": 500, "seconds": 10, "retry_after": 5}``: every call answers
  that status for a while (429 with ``Retry-After`` when ``retry_after`` is given);
- ``POST /_control/slow`` ``{"delay": 1.0, "seconds": 30}``: every call answers after ``delay``;
- ``POST /_control/refuse`` / ``/_control/hang`` ``{"seconds": 10}``: the front door refuses
  connections and resets kept-alive ones, or accepts and says nothing (needs ``--control-port``);
- ``POST /_control/clear``: every fault off;
- ``POST /_control/reply_tokens`` ``{"tokens": [{"token", "chat", "issued_at"}]}``: reply tokens
  the load generator put in its events, valid from when each event is sent;
- ``GET /_control/deliveries?after=N``: what reached each chat (reply or push, retry key,
  reply token, time, texts, buttons);
- ``POST|GET /_control/staff_alerts``: a stand-in for ``STAFF_WEBHOOK_URL``, recording alerts.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

from fastapi import APIRouter, FastAPI, HTTPException, Request
from pydantic import BaseModel, Field

from bot.dev.fault_proxy import FaultProxy, Mode
from bot.dev.line_api import Delivery, FakeLineApi, TimedFault, _actions, build_app


class Fail(BaseModel):
    status: int = Field(500, ge=400, le=599)
    seconds: float = Field(10, gt=0)
    retry_after: int | None = None
    paths: list[str] = ["reply", "push", "loading"]


class Slow(BaseModel):
    delay: float = Field(1.0, gt=0)
    seconds: float = Field(30, gt=0)
    paths: list[str] = ["reply", "push", "loading"]


class Window(BaseModel):
    seconds: float = Field(10, gt=0)


class IssuedToken(BaseModel):
    token: str
    chat: str
    issued_at: float  # epoch seconds: when the webhook carrying it is (to be) sent


class Tokens(BaseModel):
    tokens: list[IssuedToken]


def delivery_report(delivery: Delivery) -> dict[str, Any]:
    """One delivery as the benchmarks read it: texts to check, buttons to tap next."""
    return {
        "seq": delivery.seq,
        "kind": delivery.kind,
        "chat": delivery.chat_id,
        "at": delivery.at,
        "retry_key": delivery.retry_key,
        "reply_token": delivery.reply_token,
        "texts": [m.get("text") or m.get("altText", "") for m in delivery.messages],
        "buttons": [
            {k: a[k] for k in ("type", "label", "data", "text", "mode") if k in a}
            for a in _actions(delivery.messages)
        ],
    }


class FrontDoor:
    """The fault proxy in front of the fake's port, with a timer back to ``pass``."""

    def __init__(self, proxy: FaultProxy) -> None:
        self.proxy = proxy
        self._timer: asyncio.Task[None] | None = None

    async def set(self, mode: Mode, seconds: float | None = None) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        await self.proxy.set_mode(mode)
        if seconds is not None and mode != "pass":
            self._timer = asyncio.create_task(self._back_after(seconds))

    async def _back_after(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
        await self.proxy.set_mode("pass")


def build_control_router(fake: FakeLineApi, front_door: FrontDoor | None = None) -> APIRouter:
    router = APIRouter(prefix="/_control")
    alerts: list[dict[str, Any]] = []

    def _timed(seconds: float, paths: list[str], **fault: Any) -> TimedFault:
        return TimedFault(until=time.monotonic() + seconds, paths=frozenset(paths), **fault)

    @router.post("/fail")
    async def fail(body: Fail) -> dict[str, str]:
        headers = {"Retry-After": str(body.retry_after)} if body.retry_after is not None else {}
        fake.timed_faults.append(_timed(body.seconds, body.paths, status=body.status, headers=headers))
        return {"fault": f"{body.status} for {body.seconds}s"}

    @router.post("/slow")
    async def slow(body: Slow) -> dict[str, str]:
        fake.timed_faults.append(_timed(body.seconds, body.paths, delay_s=body.delay))
        return {"fault": f"{body.delay}s delay for {body.seconds}s"}

    async def _door(mode: Mode, seconds: float) -> dict[str, str]:
        if front_door is None:
            raise HTTPException(409, "start the fake with --control-port to refuse connections")
        await front_door.set(mode, seconds)
        return {"fault": f"{mode} for {seconds}s"}

    @router.post("/refuse")
    async def refuse(body: Window) -> dict[str, str]:
        return await _door("refuse", body.seconds)

    @router.post("/hang")
    async def hang(body: Window) -> dict[str, str]:
        return await _door("hang", body.seconds)

    @router.post("/clear")
    async def clear() -> dict[str, str]:
        fake.timed_faults.clear()
        if front_door is not None:
            await front_door.set("pass")
        return {"fault": "none"}

    @router.post("/reply_tokens")
    async def reply_tokens(body: Tokens) -> dict[str, int]:
        for issued in body.tokens:
            fake.register_reply_token(issued.token, issued.chat, issued.issued_at)
        return {"registered": len(body.tokens)}

    @router.get("/deliveries")
    async def deliveries(after: int = 0) -> dict[str, Any]:
        found = [delivery_report(d) for d in fake.deliveries if d.seq > after]
        return {"deliveries": found, "last": found[-1]["seq"] if found else after}

    @router.post("/staff_alerts")
    async def record_alert(request: Request) -> dict[str, str]:
        alerts.append({"at": time.time(), "payload": await request.json()})
        return {"recorded": "yes"}

    @router.get("/staff_alerts")
    async def list_alerts() -> list[dict[str, Any]]:
        return alerts

    @router.get("/stats")
    async def stats() -> dict[str, Any]:
        return {
            "deliveries": len(fake.deliveries),
            "rejected": len(fake.rejected),
            "calls": dict(fake.calls),
            "failed": dict(fake.failed),
            "connections": front_door.proxy.connections if front_door else None,
        }

    return router


def build_process_app(fake: FakeLineApi, front_door: FrontDoor | None = None) -> FastAPI:
    app = build_app(fake)
    app.include_router(build_control_router(fake, front_door))
    return app


async def _serve(port: int, control_port: int | None, token: str) -> None:
    import uvicorn

    fake = FakeLineApi(token)
    front_door = None
    if control_port is not None:
        front_door = FrontDoor(await FaultProxy("127.0.0.1", control_port, listen_port=port).start())
    app = build_process_app(fake, front_door)
    config = uvicorn.Config(
        app, host="127.0.0.1", port=control_port or port, log_level="warning", access_log=False
    )
    await uvicorn.Server(config).serve()


def run_process() -> None:
    parser = argparse.ArgumentParser(prog="python -m bot.dev.line_api", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=8090, help="where the bot calls the API")
    parser.add_argument("--control-port", type=int, help="the API itself; --port becomes a fault proxy")
    parser.add_argument("--token", default="bench-access-token")
    args = parser.parse_args()
    asyncio.run(_serve(args.port, args.control_port, args.token))
