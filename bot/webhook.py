"""POST /callback: verify, parse, deduplicate, store durably, answer at once.

Hostile bodies are refused in order of cost, cheapest first: no signature header (401,
nothing read), a declared or streamed size over ``WEBHOOK_MAX_BODY_BYTES`` (413, the rest
never read), a signature that does not match the raw bytes (401, nothing decoded), then a
body that is not UTF-8 JSON of sane depth (400). Signed events that cannot be used are
acknowledged and set aside one by one (``bot.intake.screen``). Nothing a client sends can
make this answer 500.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import re
import time
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response
from linebot.v3.webhook import SignatureValidator

from bot import metrics
from bot.intake import EventIntake, IntakeUnavailable, screen
from bot.logs import get_logger

log = get_logger("bot.webhook")
router = APIRouter()

# LINE's bodies nest about six deep; anything far deeper is refused before json.loads,
# whose C scanner would otherwise recurse once per level.
MAX_JSON_DEPTH = 32
# Bodies larger than this are decoded and parsed in a thread, not on the event loop.
PARSE_INLINE_BYTES = 64 * 1024
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKETS = {c: None for c in range(128) if chr(c) not in "[]{}"}


class BodyTooLarge(Exception):
    """The body is over the webhook's size cap."""


class RawBodySignature(SignatureValidator):  # type: ignore[misc]  # line-bot-sdk ships no types: its class is Any
    """The SDK's validator, on the raw bytes: the SDK's own ``validate`` takes a ``str``,
    which would mean decoding (and failing on) a forged body before checking it."""

    def validate(self, body: bytes, signature: str) -> bool:
        expected = base64.b64encode(hmac.new(self.channel_secret, body, hashlib.sha256).digest())
        return hmac.compare_digest(signature.encode("utf-8", "replace"), expected)


async def read_capped(request: Request, limit: int) -> bytes:
    """The body, refusing (BodyTooLarge) as soon as it is known to exceed ``limit``.

    A declared Content-Length is checked before anything is read; a chunked body is
    counted while it streams, so an oversized one never sits in memory whole.
    """
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise HTTPException(status_code=400, detail="bad Content-Length")
        if int(declared) > limit:
            raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _too_deep(text: str) -> bool:
    """Whether the JSON nests deeper than MAX_JSON_DEPTH (or its brackets do not pair).

    A body with no more opening brackets than MAX_JSON_DEPTH, counted inside strings too,
    cannot nest deeper: that is LINE's usual body (one event has about eight), answered by
    two counts. Otherwise strings are dropped, then innermost bracket pairs are peeled off
    once per level: every step is a C-speed pass, and there are at most MAX_JSON_DEPTH of them.
    An unpaired bracket in a shallow body is left to json.loads, which refuses it.
    """
    if text.count("{") + text.count("[") <= MAX_JSON_DEPTH:
        return False
    brackets = _JSON_STRING.sub("", text).translate(_NOT_BRACKETS)
    for _ in range(MAX_JSON_DEPTH):
        if not brackets:
            return False
        peeled = brackets.replace("[]", "").replace("{}", "")
        if peeled == brackets:
            return True  # unpaired: json.loads would refuse it too
        brackets = peeled
    return bool(brackets)


def parse_events(body: bytes) -> list[Any]:
    """The ``events`` list of a signed body; ValueError when it is not a webhook payload."""
    text = body.decode("utf-8")  # UnicodeDecodeError is a ValueError
    if _too_deep(text):
        raise ValueError("nested too deep")
    payload = json.loads(text)
    if not isinstance(payload, dict) or not isinstance(payload.get("events"), list):
        raise ValueError("no events list")
    events: list[Any] = payload["events"]
    return events


def _answer(accepted: int, duplicates: int, ignored: int) -> Response:
    """The 200's JSON body, encoded here: FastAPI would otherwise validate and serialize a
    returned dict through pydantic on every request, for three integers."""
    body = f'{{"accepted":{accepted},"duplicates":{duplicates},"ignored":{ignored}}}'
    return Response(content=body.encode("ascii"), media_type="application/json")


ANSWER_SCHEMA = {
    "description": "Events stored, already seen, or set aside (signed but unusable)",
    "content": {"application/json": {"example": {"accepted": 1, "duplicates": 0, "ignored": 0}}},
}


@router.post("/callback", summary="LINE webhook", response_class=Response, responses={200: ANSWER_SCHEMA})
async def callback(request: Request) -> Response:
    """Receive LINE webhook events.

    The signature is checked on the raw body (401 if missing or wrong: nothing is
    processed); bodies over the size cap get 413, bodies that are not a webhook payload
    400. Accepted events are stored on the event stream before answering 200; if they
    cannot be stored the answer is 503 so LINE delivers them again. Signed events that
    are malformed or older than the deduplication window are acknowledged and counted as
    ``ignored``, never stored.
    """
    started = time.perf_counter()
    state = request.app.state
    intake: EventIntake = state.intake
    signature = request.headers.get("x-line-signature")
    if not signature:
        metrics.WEBHOOK_SIGNATURE_INVALID.inc()
        log.warning("intake.signature_missing")
        raise HTTPException(status_code=401, detail="missing X-Line-Signature")
    try:
        body = await read_capped(request, state.webhook_max_body_bytes)
    except BodyTooLarge:
        log.warning("intake.body_too_large")
        raise HTTPException(status_code=413, detail="body too large") from None
    if not state.webhook_signature.validate(body, signature):
        metrics.WEBHOOK_SIGNATURE_INVALID.inc()
        log.warning("intake.signature_invalid")
        raise HTTPException(status_code=401, detail="invalid signature")
    try:
        if len(body) > PARSE_INLINE_BYTES:
            events = await asyncio.to_thread(parse_events, body)
        else:
            events = parse_events(body)
    except (ValueError, RecursionError):
        log.warning("intake.body_invalid")
        raise HTTPException(status_code=400, detail="body is not a webhook payload") from None
    screened = screen(events, now_ms=int(time.time() * 1000), max_age_s=state.event_max_age_s)
    for reason, count in screened.ignored.items():
        log.warning("intake.event_ignored", reason=reason, count=count)
    if screened.cut:
        log.warning("intake.text_cut", count=screened.cut)
    metrics.EVENTS_RECEIVED.inc(len(events))
    try:
        result = await intake.accept(screened.events)
    except IntakeUnavailable as exc:
        log.error("intake.store_unavailable", error=str(exc)[:200])
        raise HTTPException(status_code=503, detail="event store unavailable") from None
    metrics.EVENTS_DEDUPLICATED.inc(result.duplicates)
    metrics.ACK_LATENCY.observe(time.perf_counter() - started)
    return _answer(result.accepted, result.duplicates, sum(screened.ignored.values()))


def configure(app_state: Any, *, channel_secret: str, max_body_bytes: int, event_max_age_s: int) -> None:
    """Put what the webhook needs on the app's state (called from the app's lifespan)."""
    app_state.webhook_signature = RawBodySignature(channel_secret)
    app_state.webhook_max_body_bytes = max_body_bytes
    app_state.event_max_age_s = event_max_age_s
