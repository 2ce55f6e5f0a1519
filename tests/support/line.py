"""Build webhook bodies the way LINE does: JSON events signed with the channel secret."""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
import time
import uuid
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "line-fixtures" / "webhook.json"
SECRET = "test-channel-secret"
ACCESS_TOKEN = "test-access-token"


def sign(body: bytes, secret: str = SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def webhook_headers(body: bytes, signature: str | None = "sign") -> dict[str, str]:
    """Headers of a webhook call: signed for ``body`` ("sign"), unsigned (None), or as given."""
    headers = {"Content-Type": "application/json"}
    if signature == "sign":
        headers["X-Line-Signature"] = sign(body)
    elif signature is not None:
        headers["X-Line-Signature"] = signature
    return headers


def webhook_body(*events: dict[str, Any]) -> bytes:
    return json.dumps({"destination": "Uxxxxxxxx", "events": list(events)}, ensure_ascii=False).encode()


def fixture_events() -> list[dict[str, Any]]:
    """The SDK's 28 sample events, each with a fresh webhookEventId and timestamp (the
    webhook refuses events older than its deduplication window)."""
    events = json.loads(FIXTURES.read_text())["events"]
    for event in events:
        event["webhookEventId"] = uuid.uuid4().hex
        event["timestamp"] = int(time.time() * 1000)
    return events


def user_id() -> str:
    return "U" + uuid.uuid4().hex


def text_event(user: str, text: str, *, reply_token: str | None = None) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": "message",
        "mode": "active",
        "timestamp": int(time.time() * 1000),
        "source": {"type": "user", "userId": user},
        "webhookEventId": uuid.uuid4().hex,
        "deliveryContext": {"isRedelivery": False},
        "message": {"id": str(uuid.uuid4().int)[:18], "type": "text", "text": text, "quoteToken": "q"},
    }
    if reply_token:
        event["replyToken"] = reply_token
    return event


def with_reply_token(event: dict[str, Any], token: str) -> dict[str, Any]:
    event = copy.deepcopy(event)
    event["replyToken"] = token
    return event


def postback_event(
    user: str, data: str, *, params: dict[str, str] | None = None, reply_token: str | None = None
) -> dict[str, Any]:
    """A tapped postback button (or a picker, with ``params``) as LINE sends it."""
    postback: dict[str, Any] = {"data": data}
    if params:
        postback["params"] = params
    event: dict[str, Any] = {
        "type": "postback",
        "mode": "active",
        "timestamp": int(time.time() * 1000),
        "source": {"type": "user", "userId": user},
        "webhookEventId": uuid.uuid4().hex,
        "deliveryContext": {"isRedelivery": False},
        "postback": postback,
    }
    if reply_token:
        event["replyToken"] = reply_token
    return event
