"""POST /callback: verify, parse, deduplicate, store durably, answer at once."""

from __future__ import annotations

import json
import time

from fastapi import APIRouter, HTTPException, Request
from linebot.v3 import WebhookParser
from linebot.v3.exceptions import InvalidSignatureError

from bot import metrics
from bot.intake import EventIntake, IntakeUnavailable
from bot.logs import get_logger

log = get_logger("bot.webhook")
router = APIRouter()


@router.post("/callback", summary="LINE webhook")
async def callback(request: Request) -> dict[str, int]:
    """Receive LINE webhook events.

    The signature is checked on the raw body (401 if missing or wrong: nothing is
    processed). Accepted events are stored on the event stream before answering 200;
    if they cannot be stored the answer is 503 so LINE delivers them again.
    """
    started = time.perf_counter()
    parser: WebhookParser = request.app.state.webhook_parser
    intake: EventIntake = request.app.state.intake
    signature = request.headers.get("x-line-signature")
    body = await request.body()
    if not signature:
        metrics.WEBHOOK_SIGNATURE_INVALID.inc()
        log.warning("intake.signature_missing")
        raise HTTPException(status_code=401, detail="missing X-Line-Signature")
    try:
        text = body.decode("utf-8")
        parser.parse(text, signature)
    except InvalidSignatureError:
        metrics.WEBHOOK_SIGNATURE_INVALID.inc()
        log.warning("intake.signature_invalid")
        raise HTTPException(status_code=401, detail="invalid signature") from None
    except Exception:
        # The signature was checked before parsing, so this body is LINE's: an event
        # the SDK cannot model is still accepted and left to the worker to ignore.
        log.info("intake.event_unmodelled")
    try:
        events = json.loads(text)["events"]
        if not isinstance(events, list):
            raise TypeError
    except (UnicodeDecodeError, ValueError, KeyError, TypeError):
        log.warning("intake.body_invalid")
        raise HTTPException(status_code=400, detail="body is not a webhook payload") from None
    metrics.EVENTS_RECEIVED.inc(len(events))
    try:
        result = await intake.accept(events)
    except IntakeUnavailable as exc:
        log.error("intake.store_unavailable", error=str(exc)[:200])
        raise HTTPException(status_code=503, detail="event store unavailable") from None
    metrics.EVENTS_DEDUPLICATED.inc(result.duplicates)
    metrics.ACK_LATENCY.observe(time.perf_counter() - started)
    return {"accepted": result.accepted, "duplicates": result.duplicates}
