"""The local LINE simulator: a phone-like chat page at ``/dev/chat`` (dev mode only).

The page never talks to the bot's internals.  It asks this router to send a webhook
event; the router builds the event the way LINE does (a reply token issued by the fake
Messaging API, a fresh ``webhookEventId``), signs the raw body with the channel secret
and POSTs it over real HTTP to the bot's own ``/callback``.  What the bot sends back
through the fake Messaging API is read from the fake's mailbox and drawn by the page.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import secrets
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import httpx
from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field

from bot.dev.line_api import FakeLineApi
from bot.logs import get_logger
from flows.limits import DISPLAY_TEXT_MAX, POSTBACK_DATA_MAX, TEXT_MAX
from settings import Settings, WebSettings

log = get_logger("bot.dev.simulator")

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
TEMPLATES_DIR = HERE / "templates"
ACCOUNT_NAME = "つなぐ（開発用シミュレーター）"
# The bot's own user id as LINE would put it in ``destination``; any U + 32 hex will do.
DESTINATION = "U" + "d" * 32
USER_ID_PATTERN = r"^U[0-9a-f]{32}$"
LONG_POLL_S = 20.0
# A long poll wakes this often to notice a closed page (so shutdown is not held up).
POLL_STEP_S = 0.25
STATIC_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}
# The page builds everything with DOM APIs; nothing inline needs to run.
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data: https:; connect-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


# -- LINE-shaped events ---------------------------------------------------------------
def webhook_event_id() -> str:
    """A ULID, the shape of LINE's ``webhookEventId`` (e.g. ``01FZ74A0TDDPYRVKNK77XKC3ZR``)."""
    value = (int(time.time() * 1000) << 80) | secrets.randbits(80)
    return "".join(_CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


def message_id() -> str:
    return str(secrets.randbelow(9 * 10**17) + 10**17)


def quote_token() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(48)).decode().rstrip("=")


def sign(body: bytes, channel_secret: str) -> str:
    """``X-Line-Signature``: base64 of the HMAC-SHA256 of the raw body."""
    digest = hmac.new(channel_secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


class SendRequest(BaseModel):
    """What the page asks to send, as the resident would by tapping or typing."""

    user_id: str = Field(pattern=USER_ID_PATTERN)
    kind: Literal["text", "postback", "follow", "sticker", "image"]
    text: str | None = Field(default=None, max_length=TEXT_MAX)
    data: str | None = Field(default=None, max_length=POSTBACK_DATA_MAX)
    params: dict[str, str] | None = None
    display_text: str | None = Field(default=None, max_length=DISPLAY_TEXT_MAX)
    unblocked: bool = False
    package_id: str = "446"
    sticker_id: str = "1988"


def build_event(request: SendRequest, reply_token: str) -> dict[str, Any]:
    """One webhook event as LINE would deliver it for this resident action."""
    event: dict[str, Any] = {
        "type": "message",
        "mode": "active",
        "timestamp": int(time.time() * 1000),
        "source": {"type": "user", "userId": request.user_id},
        "webhookEventId": webhook_event_id(),
        "deliveryContext": {"isRedelivery": False},
        "replyToken": reply_token,
    }
    if request.kind == "text":
        if not request.text or not request.text.strip():
            raise HTTPException(422, "a text message needs text")
        event["message"] = {
            "id": message_id(),
            "type": "text",
            "text": request.text,
            "quoteToken": quote_token(),
        }
    elif request.kind == "sticker":
        event["message"] = {
            "id": message_id(),
            "type": "sticker",
            "packageId": request.package_id,
            "stickerId": request.sticker_id,
            "stickerResourceType": "STATIC",
            "keywords": ["Happy", "Smile"],
            "quoteToken": quote_token(),
        }
    elif request.kind == "image":
        event["message"] = {
            "id": message_id(),
            "type": "image",
            "contentProvider": {"type": "line"},
            "quoteToken": quote_token(),
        }
    elif request.kind == "postback":
        if request.data is None:
            raise HTTPException(422, "a postback needs data")
        postback: dict[str, Any] = {"data": request.data}
        if request.params:
            postback["params"] = request.params
        event["type"] = "postback"
        event["postback"] = postback
    else:  # follow
        event["type"] = "follow"
        event["follow"] = {"isUnblocked": request.unblocked}
    return event


def _callback_url(settings: WebSettings) -> str:
    # A server bound to every address is still reached on loopback.
    host = {"0.0.0.0": "127.0.0.1", "::": "[::1]", "": "127.0.0.1"}.get(
        settings.host, settings.host
    )
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{settings.port}/callback"


# -- what the page shows ----------------------------------------------------------------
@dataclass
class ResidentEntry:
    """What the resident did, kept so a reloaded page can redraw the conversation."""

    at: float
    kind: str
    text: str | None = None
    params: dict[str, str] | None = None


@dataclass
class SimulatorState:
    fake: FakeLineApi
    sent: dict[str, list[ResidentEntry]] = field(default_factory=lambda: defaultdict(list))

    def loading_count(self, user_id: str) -> int:
        return sum(1 for call in self.fake.loading if call.get("chatId") == user_id)

    def deliveries(self, user_id: str, after: int) -> list[dict[str, Any]]:
        return [
            {"seq": d.seq, "kind": d.kind, "at": d.at, "messages": d.messages}
            for d in self.fake.messages_for(user_id, after=after)
        ]


def _static_version() -> str:
    """Changes whenever a static file does, so browsers never keep a stale module."""
    stamp = hashlib.sha256()
    for path in sorted(STATIC_DIR.glob("*")):
        stamp.update(f"{path.name}:{path.stat().st_mtime_ns}".encode())
    return stamp.hexdigest()[:10]


def build_simulator_router(fake: FakeLineApi, settings: Settings) -> APIRouter:
    """The simulator page and its small JSON API, for ``mount_dev`` in dev mode only."""
    state = SimulatorState(fake=fake)
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    static_files = {p.name: p for p in STATIC_DIR.iterdir() if p.suffix in STATIC_TYPES}
    callback_url = _callback_url(settings.web)
    channel_secret = settings.line.channel_secret.get_secret_value()
    router = APIRouter()

    @router.get("/dev/chat", response_class=HTMLResponse, summary="LINE simulator page")
    async def chat_page(request: Request) -> HTMLResponse:
        """A phone-like chat with the bot, over signed webhook events (dev mode only)."""
        response = templates.TemplateResponse(
            request,
            "chat.html",
            {
                "account_name": ACCOUNT_NAME,
                "version": _static_version(),
                "callback_url": callback_url,
            },
        )
        response.headers["Content-Security-Policy"] = PAGE_CSP
        response.headers["Cache-Control"] = "no-store"
        return response

    @router.get("/dev/chat/static/{name}", summary="Simulator static file")
    async def static(name: str) -> FileResponse:
        path = static_files.get(name)
        if path is None:
            raise HTTPException(404, "no such file")
        return FileResponse(
            path, media_type=STATIC_TYPES[path.suffix], headers={"Cache-Control": "no-cache"}
        )

    @router.post("/dev/chat/api/send", summary="Send a resident's action as a webhook event")
    async def send(body: SendRequest, request: Request) -> dict[str, Any]:
        """Build a LINE webhook event, sign it, and POST it to this bot's ``/callback``.

        The reply token is issued by the local Messaging API for this resident, so the
        bot can answer it exactly once, as on LINE.
        """
        event = build_event(body, fake.issue_reply_token(body.user_id))
        entry_at = time.time()  # before the POST: the bot may answer before it returns
        raw = json.dumps(
            {"destination": DESTINATION, "events": [event]}, ensure_ascii=False
        ).encode()
        # Over real HTTP to /callback, as LINE's would, on the process's client (bot/services.py).
        client: httpx.AsyncClient = request.app.state.services.http
        try:
            answer = await client.post(
                callback_url,
                content=raw,
                headers={
                    "Content-Type": "application/json; charset=utf-8",
                    "X-Line-Signature": sign(raw, channel_secret),
                    "User-Agent": "LineBotWebhook/2.0 (tsunagu simulator)",
                },
            )
        except httpx.HTTPError as exc:
            log.warning("simulator.callback_unreachable", url=callback_url, error=str(exc)[:200])
            raise HTTPException(502, f"could not reach {callback_url}: {exc}") from None
        if answer.status_code != 200:
            log.warning("simulator.callback_refused", status=answer.status_code)
            raise HTTPException(
                502, f"/callback answered {answer.status_code}: {answer.text[:200]}"
            )
        shown = {
            "text": body.text,
            "postback": body.display_text,
            "sticker": None,
            "image": None,
            "follow": None,
        }[body.kind]
        entry = ResidentEntry(at=entry_at, kind=body.kind, text=shown, params=body.params)
        state.sent[body.user_id].append(entry)
        return {"event": event, "at": entry.at, "callback_status": answer.status_code}

    @router.get("/dev/chat/api/messages", summary="What the bot sent to a resident")
    async def messages(
        request: Request,
        user_id: str = Query(pattern=USER_ID_PATTERN),
        after: int = Query(0, ge=0),
        wait: float = Query(LONG_POLL_S, ge=0, le=LONG_POLL_S),
        loading: int = Query(-1, ge=-1),
    ) -> dict[str, Any]:
        """Deliveries (reply and push) to ``user_id`` after ``seq``; waits up to ``wait`` s.

        Also answers early when the number of loading animations the bot started for this
        chat differs from ``loading`` (what the page has seen), so it can show them.
        """
        loading_seen = state.loading_count(user_id) if loading < 0 else loading
        deadline = time.monotonic() + wait
        while True:
            found = state.deliveries(user_id, after)
            loading_now = state.loading_count(user_id)
            remaining = deadline - time.monotonic()
            if found or loading_now != loading_seen or remaining <= 0:
                break
            if await request.is_disconnected():
                break
            changed = fake.changed  # replaced on every delivery: take it before waiting
            try:
                await asyncio.wait_for(changed.wait(), timeout=min(POLL_STEP_S, remaining))
            except TimeoutError:
                pass
        return {"deliveries": found, "loading": loading_now}

    @router.get("/dev/chat/api/history", summary="A resident's conversation so far")
    async def history(user_id: str = Query(pattern=USER_ID_PATTERN)) -> dict[str, Any]:
        """What the resident did and what the bot sent, for redrawing a reloaded page."""
        return {
            "sent": [asdict(entry) for entry in state.sent.get(user_id, [])],
            "deliveries": state.deliveries(user_id, 0),
            "loading": state.loading_count(user_id),
        }

    return router
