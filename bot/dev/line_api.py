"""A local stand-in for the LINE Messaging API, strict about what it accepts.

Tests point ``LINE_API_BASE_URL`` at it, and the simulator page reads what the bot
sent from its mailbox.  It checks requests against the API reference: bearer token,
request shapes (through the SDK's own models), message counts and length limits,
single-use reply tokens that expire, and retry keys that answer 409 when reused.
Faults (500, 429, hangs) can be queued to exercise the bot's retries, or set for a while
(``TimedFault``); run as its own process it also takes HTTP control calls
(``bot.dev.line_control``), which the benchmarks use to fail it on command.
"""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, FastAPI, Header, Request
from fastapi.responses import JSONResponse
from linebot.v3.messaging import PushMessageRequest, ReplyMessageRequest

from bot.dev.richmenu_api import RichMenuStore, build_richmenu_router
from flows.limits import (
    ALT_TEXT_MAX,
    LABEL_MAX,
    MESSAGES_PER_CALL,
    POSTBACK_DATA_MAX,
    QUICK_REPLIES_MAX,
    TEXT_MAX,
)

REPLY_TOKEN_TTL_S = 60.0


@dataclass
class Fault:
    status: int = 500
    delay_s: float = 0.0
    body: dict[str, Any] = field(default_factory=lambda: {"message": "Internal error"})
    headers: dict[str, str] = field(default_factory=dict)
    # Process the request normally, then answer with this fault (a lost response).
    after_success: bool = False


@dataclass
class Delivery:
    seq: int
    kind: str  # "reply" | "push"
    chat_id: str
    messages: list[dict[str, Any]]
    retry_key: str | None = None
    at: float = field(default_factory=time.time)
    reply_token: str | None = None


@dataclass
class TimedFault:
    """A fault on every call of ``paths`` until ``until`` (monotonic): an outage, not a blip.

    ``status`` 0 answers normally after ``delay_s`` (a slow API)."""

    until: float
    status: int = 0
    delay_s: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    paths: frozenset[str] = frozenset({"reply", "push", "loading"})


class FakeLineApi:
    """State of the fake: issued reply tokens, accepted retry keys, deliveries."""

    def __init__(self, access_token: str) -> None:
        self.access_token = access_token
        self._seq = itertools.count(1)
        self._tokens: dict[str, tuple[str, float]] = {}  # token -> (chat id, issued at)
        self.retry_keys: set[str] = set()
        self.deliveries: list[Delivery] = []
        self.loading: list[dict[str, Any]] = []
        self.rejected: list[dict[str, Any]] = []
        self.faults: dict[str, list[Fault]] = defaultdict(list)
        self.timed_faults: list[TimedFault] = []
        self.failed: dict[str, int] = defaultdict(int)  # answers a fault made, by status
        self.calls: dict[str, int] = defaultdict(int)
        self.changed = asyncio.Event()
        self.rich_menus = RichMenuStore()

    # -- used by tests and the simulator -----------------------------------
    def issue_reply_token(self, chat_id: str, *, issued_at: float | None = None) -> str:
        token = uuid.uuid4().hex
        self._tokens[token] = (chat_id, issued_at if issued_at is not None else time.time())
        return token

    def register_reply_token(self, token: str, chat_id: str, issued_at: float) -> None:
        """A token chosen by the caller (a load generator signs its events in advance)."""
        self._tokens[token] = (chat_id, issued_at)

    def inject(self, path: str, *faults: Fault) -> None:
        """Queue faults for the next calls of ``path`` ("reply", "push", "loading")."""
        self.faults[path].extend(faults)

    def timed(self, path: str) -> list[TimedFault]:
        """The timed faults in force for ``path`` now; expired ones are dropped."""
        now = time.monotonic()
        self.timed_faults = [f for f in self.timed_faults if f.until > now]
        return [f for f in self.timed_faults if path in f.paths]

    def messages_for(self, chat_id: str, after: int = 0) -> list[Delivery]:
        return [d for d in self.deliveries if d.chat_id == chat_id and d.seq > after]

    def texts_for(self, chat_id: str) -> list[str]:
        return [
            m.get("text") or m.get("altText", "")
            for d in self.messages_for(chat_id)
            for m in d.messages
        ]

    # -- request handling ---------------------------------------------------
    def _record(self, delivery: Delivery) -> None:
        self.deliveries.append(delivery)
        self.changed.set()
        self.changed = asyncio.Event()

    def _reject(self, path: str, status: int, message: str, details: list[str] | None = None) -> JSONResponse:
        self.rejected.append({"path": path, "status": status, "message": message})
        body: dict[str, Any] = {"message": message}
        if details:
            body["details"] = details
        return JSONResponse(body, status_code=status)


def _message_problems(messages: list[dict[str, Any]]) -> list[str]:
    problems: list[str] = []
    if not 1 <= len(messages) <= MESSAGES_PER_CALL:
        problems.append(f"messages: must contain 1 to {MESSAGES_PER_CALL} items")
    for i, message in enumerate(messages):
        where = f"messages[{i}]"
        if message.get("type") == "text" and len(message.get("text", "")) > TEXT_MAX:
            problems.append(f"{where}.text: longer than {TEXT_MAX}")
        if message.get("type") == "text" and not message.get("text"):
            problems.append(f"{where}.text: must not be empty")
        if message.get("type") == "flex" and not 1 <= len(message.get("altText", "")) <= ALT_TEXT_MAX:
            problems.append(f"{where}.altText: 1 to {ALT_TEXT_MAX} characters")
        items = (message.get("quickReply") or {}).get("items") or []
        if len(items) > QUICK_REPLIES_MAX:
            problems.append(f"{where}.quickReply.items: at most {QUICK_REPLIES_MAX}")
        for action in _actions(message):
            label = action.get("label", "")
            if not label or len(label) > LABEL_MAX:
                problems.append(f"{where}: action label must be 1 to {LABEL_MAX} characters")
            if action.get("type") in ("postback", "datetimepicker"):
                if len(action.get("data", "")) > POSTBACK_DATA_MAX:
                    problems.append(f"{where}: postback data longer than {POSTBACK_DATA_MAX}")
            if action.get("type") == "datetimepicker" and action.get("mode") not in (
                "date",
                "time",
                "datetime",
            ):
                problems.append(f"{where}: datetimepicker mode must be date, time or datetime")
    return problems


def _actions(node: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if "action" in node and isinstance(node["action"], dict):
            found.append(node["action"])
        for key, value in node.items():
            if key != "action":
                found.extend(_actions(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(_actions(value))
    return found


def _sent(messages: list[dict[str, Any]]) -> dict[str, Any]:
    return {"sentMessages": [{"id": uuid.uuid4().hex, "quoteToken": uuid.uuid4().hex} for _ in messages]}


def build_router(fake: FakeLineApi) -> APIRouter:
    router = APIRouter()

    async def _gate(path: str, authorization: str | None) -> JSONResponse | None:
        fake.calls[path] += 1
        if authorization != f"Bearer {fake.access_token}":
            return fake._reject(path, 401, "Authentication failed due to the expired access token")
        for timed in fake.timed(path):
            if timed.delay_s:
                await asyncio.sleep(timed.delay_s)
            if timed.status:
                fake.failed[str(timed.status)] += 1
                return JSONResponse(
                    {"message": "fault injected"}, status_code=timed.status, headers=timed.headers
                )
        if fake.faults[path] and not fake.faults[path][0].after_success:
            fault = fake.faults[path].pop(0)
            if fault.delay_s:
                await asyncio.sleep(fault.delay_s)
            if fault.status:
                return JSONResponse(fault.body, status_code=fault.status, headers=fault.headers)
        return None

    def _lost_response(path: str, sent: dict[str, Any]) -> JSONResponse:
        """Apply a queued after-success fault: the work is done, the answer is lost."""
        if fake.faults[path] and fake.faults[path][0].after_success:
            fault = fake.faults[path].pop(0)
            return JSONResponse(fault.body, status_code=fault.status, headers=fault.headers)
        return JSONResponse(sent)

    @router.post("/v2/bot/message/reply")
    async def reply(request: Request, authorization: str | None = Header(None)) -> JSONResponse:
        if (refused := await _gate("reply", authorization)) is not None:
            return refused
        body = await request.json()
        try:
            ReplyMessageRequest.from_dict(body)
        except Exception as exc:  # the SDK's model says the shape is wrong
            return fake._reject("reply", 400, "The request body has 1 error(s)", [str(exc)])
        if problems := _message_problems(body.get("messages", [])):
            return fake._reject("reply", 400, "The request body has errors", problems)
        token = body.get("replyToken", "")
        issued = fake._tokens.pop(token, None)
        if issued is None or time.time() - issued[1] > REPLY_TOKEN_TTL_S:
            return fake._reject("reply", 400, "Invalid reply token")
        fake._record(
            Delivery(next(fake._seq), "reply", issued[0], body["messages"], reply_token=token)
        )
        return _lost_response("reply", _sent(body["messages"]))

    @router.post("/v2/bot/message/push")
    async def push(
        request: Request,
        authorization: str | None = Header(None),
        x_line_retry_key: str | None = Header(None),
    ) -> JSONResponse:
        if (refused := await _gate("push", authorization)) is not None:
            return refused
        body = await request.json()
        try:
            PushMessageRequest.from_dict(body)
        except Exception as exc:
            return fake._reject("push", 400, "The request body has 1 error(s)", [str(exc)])
        if problems := _message_problems(body.get("messages", [])):
            return fake._reject("push", 400, "The request body has errors", problems)
        if x_line_retry_key is not None:
            try:
                uuid.UUID(x_line_retry_key)
            except ValueError:
                return fake._reject("push", 400, "The value of X-Line-Retry-Key is invalid")
            if x_line_retry_key in fake.retry_keys:
                return JSONResponse(
                    {"message": "The retry key is already accepted", "sentMessages": []},
                    status_code=409,
                )
            fake.retry_keys.add(x_line_retry_key)
        fake._record(
            Delivery(next(fake._seq), "push", body["to"], body["messages"], x_line_retry_key)
        )
        return _lost_response("push", _sent(body["messages"]))

    @router.post("/v2/bot/chat/loading/start")
    async def loading(request: Request, authorization: str | None = Header(None)) -> JSONResponse:
        if (refused := await _gate("loading", authorization)) is not None:
            return refused
        body = await request.json()
        seconds = body.get("loadingSeconds", 20)
        if not body.get("chatId") or seconds % 5 or not 5 <= seconds <= 60:
            return fake._reject("loading", 400, "The request body has errors")
        fake.loading.append(body)
        return JSONResponse({}, status_code=202)

    return router


def build_app(fake: FakeLineApi) -> FastAPI:
    """The fake as a standalone server (tests run it on a loopback port)."""
    app = FastAPI(title="fake LINE Messaging API")
    app.include_router(build_router(fake))
    app.include_router(build_richmenu_router(fake.rich_menus, fake.access_token))
    return app


def main() -> None:
    """``python -m bot.dev.line_api --port P [--control-port C]``: the fake as its own process.

    With ``--control-port`` the API listens on ``C`` and ``P`` is a fault proxy in front of
    it, so ``/_control/refuse`` can refuse and reset connections while ``C`` stays reachable.
    """
    from bot.dev.line_control import run_process

    run_process()


if __name__ == "__main__":
    main()
