"""The webhook against hostile bodies: forged, oversized, malformed, deep, long, replayed.

Nothing a client sends may get a 500: the signature is checked on the raw bytes before
anything is decoded, sizes are capped before bodies are read whole, and signed events that
cannot be used are acknowledged one by one without being stored.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import create_app
from bot.intake import MAX_TEXT_CHARS, STREAM
from tests.conftest import make_settings
from tests.support.line import sign, text_event, user_id, webhook_body, webhook_headers
from tests.support.servers import serve

CAP = 64 * 1024
DAY_MS = 24 * 3600 * 1000


@dataclass
class Edge:
    """The web process alone (no in-process worker), so stored events stay on the stream."""

    url: str
    http: httpx.AsyncClient

    async def post_raw(self, body: bytes, *, signature: str | None = "sign") -> httpx.Response:
        return await self.http.post(f"{self.url}/callback", content=body, headers=webhook_headers(body, signature))

    async def post(self, *events: Any) -> httpx.Response:
        return await self.post_raw(json.dumps({"destination": "U1", "events": list(events)}).encode())


@pytest.fixture
async def edge(redis_client, fake_line, clean_database) -> AsyncIterator[Edge]:
    _, fake_url = fake_line
    app = create_app(make_settings(line_api_base_url=fake_url, in_process_workers=0, webhook_max_body_bytes=CAP))
    async with serve(app) as url, httpx.AsyncClient(timeout=30) as http:
        yield Edge(url=url, http=http)


async def stored_events(redis_client) -> list[dict[str, Any]]:
    return [json.loads(fields[b"event"]) for _, fields in await redis_client.xrange(STREAM)]


async def raw_exchange(url: str, head: bytes, body_parts: list[bytes]) -> bytes:
    """Send a request head and part of a body on a raw socket, then read the answer
    without ever sending the rest: an answer proves the server did not wait for it."""
    parts = urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    writer.write(head)
    for part in body_parts:
        writer.write(part)
    await writer.drain()
    status_line = await reader.readline()
    writer.close()
    return status_line


# ---- signature on raw bytes -------------------------------------------------------------------


async def test_forged_signature_on_invalid_utf8_is_401_not_500(edge, redis_client):
    body = b'{"events": [\xff\xfe\xfa]}'
    response = await edge.post_raw(body, signature="Zm9yZ2VkIQ==")
    assert response.status_code == 401
    assert await redis_client.xlen(STREAM) == 0


async def test_signed_invalid_utf8_is_400(edge, redis_client):
    response = await edge.post_raw(b'{"events": ["\xff\xfe"]}')
    assert response.status_code == 400
    assert await redis_client.xlen(STREAM) == 0


async def test_a_non_ascii_signature_header_is_401(edge):
    response = await edge.http.post(
        f"{edge.url}/callback", content=b"{}", headers={"X-Line-Signature": "é".encode("latin-1")}
    )
    assert response.status_code == 401


# ---- size ----------------------------------------------------------------------------------


async def test_declared_oversized_body_is_refused_before_it_is_sent(edge, redis_client):
    huge = 200 * 1024 * 1024
    head = (
        f"POST /callback HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"X-Line-Signature: Zm9yZ2VkIQ==\r\nContent-Length: {huge}\r\n\r\n"
    ).encode()
    status = await raw_exchange(edge.url, head, [b'{"events": ['])
    assert status.startswith(b"HTTP/1.1 413")
    assert await redis_client.xlen(STREAM) == 0


async def test_chunked_oversized_body_is_refused_while_it_streams(edge, redis_client):
    head = (
        b"POST /callback HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"X-Line-Signature: Zm9yZ2VkIQ==\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    chunk = b"x" * 16384
    chunks = [b"%x\r\n%s\r\n" % (len(chunk), chunk)] * (CAP // len(chunk) + 2)  # the end never comes
    status = await raw_exchange(edge.url, head, chunks)
    assert status.startswith(b"HTTP/1.1 413")
    assert await redis_client.xlen(STREAM) == 0


async def test_a_body_just_under_the_cap_is_taken(edge, redis_client):
    event = text_event(user_id(), "こんにちは")
    body = webhook_body(event)
    padded = body[:-1] + b" " * (CAP - len(body)) + b"}"
    assert len(padded) == CAP
    response = await edge.post_raw(padded)
    assert response.status_code == 200 and response.json()["accepted"] == 1


async def test_a_bad_content_length_is_400(edge):
    head = b"POST /callback HTTP/1.1\r\nHost: x\r\nX-Line-Signature: a\r\nContent-Length: -5\r\n\r\n"
    status = await raw_exchange(edge.url, head, [])
    assert status.startswith(b"HTTP/1.1 400")


# ---- malformed but signed ------------------------------------------------------------------


NOT_PAYLOADS = {
    "not-json": b"not json", "list": b"[]", "events-object": b'{"events": {}}', "events-string": b'{"events": "x"}',
    "no-events": b"{}", "trailing-comma": b'{"events": [' + b"1," * 10 + b"]}",
    "5000-deep-lists": b'{"events": [' + b"[" * 5000 + b"]" * 5000 + b"]}",
    "5000-deep-objects": b'{"events": [' + b'{"a": ' * 5000 + b"1" + b"}" * 5000 + b"]}",
    "unpaired": b'{"events": [' + b"[" * 40 + b"]}",
    "huge-integer": b'{"events": [' + b"9" * 5000 + b"]}",  # over Python's digit limit
}


async def test_signed_body_that_is_not_a_payload_is_400(edge, redis_client):
    answers = {name: (await edge.post_raw(body)).status_code for name, body in NOT_PAYLOADS.items()}
    assert answers == dict.fromkeys(NOT_PAYLOADS, 400)
    assert await redis_client.xlen(STREAM) == 0


async def test_nesting_inside_strings_does_not_count_as_depth(edge, redis_client):
    event = text_event(user_id(), "[" * 3000 + "{{7*7}}" + "]" * 10)
    response = await edge.post(event)
    assert response.json() == {"accepted": 1, "duplicates": 0, "ignored": 0}


WRONG_SHAPES = [
    1, "event", None, [], True,
    {"type": "message"},  # no timestamp
    {"type": 5, "timestamp": "NOW"},
    {"type": "message", "timestamp": "NOW", "mode": 1},
    {"type": "message", "timestamp": True},
    {"type": "message", "timestamp": "NOW", "source": "U1"},
    {"type": "message", "timestamp": "NOW", "source": [1, 2]},
    {"type": "message", "timestamp": "NOW", "source": {"type": "user", "userId": {"$ne": 1}}},
    {"type": "message", "timestamp": "NOW", "source": {"type": "user", "userId": "U1"}, "message": "hi"},
    {"type": "message", "timestamp": "NOW", "source": {"type": "user", "userId": "U1"},
     "message": {"type": "text", "text": ["a"]}},
    {"type": "message", "timestamp": "NOW", "webhookEventId": 7},
    {"type": "postback", "timestamp": "NOW", "postback": None},
    {"type": "message", "timestamp": "NOW", "replyToken": {"x": 1}},
]


async def test_signed_events_of_the_wrong_shape_are_acknowledged_and_not_stored(edge, redis_client):
    events = json.loads(json.dumps(WRONG_SHAPES).replace('"NOW"', str(int(time.time() * 1000))))
    good = text_event(user_id(), "こんにちは")
    response = await edge.post(*events, good)
    assert response.status_code == 200
    assert response.json() == {"accepted": 1, "duplicates": 0, "ignored": len(WRONG_SHAPES)}
    assert [e["webhookEventId"] for e in await stored_events(redis_client)] == [good["webhookEventId"]]


# ---- long text ------------------------------------------------------------------------------


async def test_text_over_lines_limit_is_cut_to_it_and_kept(edge, redis_client):
    text = "死にたい。" + "あ" * (MAX_TEXT_CHARS + 2000)
    event = text_event(user_id(), text)
    response = await edge.post(event)
    assert response.json() == {"accepted": 1, "duplicates": 0, "ignored": 0}
    (stored,) = await stored_events(redis_client)
    assert stored["message"]["text"] == text[:MAX_TEXT_CHARS]


# ---- age ------------------------------------------------------------------------------------


async def test_event_older_than_the_dedupe_window_is_acknowledged_not_stored(edge, redis_client):
    old = text_event(user_id(), "こんにちは")
    old["timestamp"] = int(time.time() * 1000) - DAY_MS - 60_000
    response = await edge.post(old)
    assert response.json() == {"accepted": 0, "duplicates": 0, "ignored": 1}
    assert await redis_client.xlen(STREAM) == 0


async def test_a_replay_after_the_dedupe_mark_expired_is_not_taken_again(edge, redis_client):
    """A body taken yesterday, replayed when its dedupe mark is gone, stays refused."""
    event = text_event(user_id(), "こんにちは")
    event["timestamp"] = int(time.time() * 1000) - DAY_MS + 2_000  # just inside the window
    body = webhook_body(event)
    first = await edge.post_raw(body)
    assert first.json()["accepted"] == 1
    await redis_client.delete(*[k async for k in redis_client.scan_iter("tsunagu:dedupe:*")])  # expired
    await asyncio.sleep(2.5)  # the event is now older than the window
    replay = await edge.post_raw(body)
    assert replay.json() == {"accepted": 0, "duplicates": 0, "ignored": 1}
    assert await redis_client.xlen(STREAM) == 1


async def test_event_far_in_the_future_is_acknowledged_not_stored(edge, redis_client):
    future = text_event(user_id(), "こんにちは")
    future["timestamp"] = int(time.time() * 1000) + DAY_MS
    assert (await edge.post(future)).json()["ignored"] == 1
    assert await redis_client.xlen(STREAM) == 0


# ---- any body at all ------------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
FIELDS = st.sampled_from(["type", "source", "timestamp", "message", "webhookEventId", "replyToken",
                          "postback", "mode", "deliveryContext"])
PLAUSIBLE = st.fixed_dictionaries({}, optional={
    "type": st.sampled_from(["message", "follow", "postback", "unfollow", "nonsense"]) | JSON_VALUES,
    "timestamp": st.just("NOW") | JSON_VALUES,
    "source": st.fixed_dictionaries({}, optional={
        "type": st.sampled_from(["user", "group", "room"]) | JSON_VALUES,
        "userId": st.just("Ufuzz") | JSON_VALUES,
        "groupId": JSON_VALUES,
    }) | JSON_VALUES,
    "message": st.fixed_dictionaries({}, optional={
        "type": st.sampled_from(["text", "image", "sticker"]) | JSON_VALUES,
        "text": st.text(max_size=50) | JSON_VALUES, "id": JSON_VALUES,
    }) | JSON_VALUES,
    "webhookEventId": st.uuids().map(str) | JSON_VALUES,
    "postback": st.fixed_dictionaries({"data": JSON_VALUES}) | JSON_VALUES,
})
EVENTS = st.lists(PLAUSIBLE | JSON_VALUES, max_size=4)
DEEP = st.integers(1, 6000).map(lambda d: b'{"events": [' + b"[" * d + b"]" * d + b"]}")
BODIES = st.one_of(
    st.binary(max_size=300),
    JSON_VALUES.map(lambda v: json.dumps(v).encode()),
    EVENTS.map(lambda es: json.dumps({"events": es}).replace('"NOW"', str(int(time.time() * 1000))).encode()),
    DEEP,
)


async def test_no_body_signed_or_not_gets_a_500(bot):
    """Property: whatever the body and whether or not it is signed, the answer is one of
    200, 400, 401 and 413. The running bot has its in-process worker, so stored events
    are handled too."""
    url = f"{bot.url}/callback"
    seen: set[int] = set()

    @settings(max_examples=300, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(body=BODIES, how=st.sampled_from(["signed", "forged", "none"]))
    def check(body: bytes, how: str) -> None:
        headers = {"Content-Type": "application/json"}
        if how == "signed":
            headers["X-Line-Signature"] = sign(body)
        elif how == "forged":
            headers["X-Line-Signature"] = sign(body + b"x")
        with httpx.Client(timeout=30) as client:
            status = client.post(url, content=body, headers=headers).status_code
        seen.add(status)
        assert status in (200, 400, 401, 413), (status, body[:200], how)

    await asyncio.to_thread(check)
    assert {200, 400, 401} <= seen
