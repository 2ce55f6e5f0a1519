"""A LINE-like load generator: signed webhooks at planned times, redelivered as LINE does.

Every body is built and signed before the clock starts (the generator shares the cores
with what it measures). A webhook that gets a non-2xx answer, or none within the timeout,
comes again with the same ``webhookEventId`` and ``deliveryContext.isRedelivery: true``,
after a growing delay, until it is accepted or the redelivery window closes.
"""

from __future__ import annotations

import asyncio
import copy
import gc
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from bench.harness import SECRET
from tests.support.line import postback_event, sign, text_event, webhook_body


@dataclass(frozen=True)
class Redelivery:
    """LINE's redelivery of webhooks the bot did not acknowledge (1 s, 2 s, 4 s … capped)."""

    enabled: bool = True
    timeout_s: float = 2.0  # no answer within this: LINE counts the delivery as failed
    first_delay_s: float = 1.0
    factor: float = 2.0
    max_delay_s: float = 30.0
    window_s: float = 600.0  # after this long since the first try, LINE gives up

    def delays(self) -> Iterable[float]:
        delay = self.first_delay_s
        while True:
            yield delay
            delay = min(delay * self.factor, self.max_delay_s)


@dataclass
class Planned:
    """One webhook event to send ``offset`` seconds after the start, already signed."""

    resident: str
    kind: str  # first | flow | returning | crisis | stage
    event: dict[str, Any]
    offset: float = 0.0
    measured: bool = True
    body: bytes = b""
    signature: str = ""

    def seal(self, start_epoch: float) -> Planned:
        """Stamp the event with its planned send time and sign it (before the clock starts)."""
        self.event["timestamp"] = int((start_epoch + self.offset) * 1000)
        self.body = webhook_body(self.event)
        self.signature = sign(self.body, SECRET)
        return self

    @property
    def reply_token(self) -> str:
        return str(self.event["replyToken"])


@dataclass
class Sent:
    """What happened to one planned event on the wire."""

    planned: Planned
    first_sent: float = 0.0  # epoch of the first attempt
    acked_at: float | None = None  # epoch of the 2xx
    ack_latency: float | None = None  # seconds, of the attempt that was accepted
    # Seconds until the first attempt got any answer; infinite when it got none (timed out).
    first_answer: float = float("inf")
    attempts: list[str] = field(default_factory=list)  # "200", "503", "timeout", "refused"

    @property
    def acked(self) -> bool:
        return self.acked_at is not None


def text(resident: str, words: str, kind: str, **plan: Any) -> Planned:
    return Planned(resident, kind, text_event(resident, words, reply_token=uuid.uuid4().hex), **plan)


def postback(resident: str, data: str, kind: str, **plan: Any) -> Planned:
    return Planned(resident, kind, postback_event(resident, data, reply_token=uuid.uuid4().hex), **plan)


def redelivered(event: dict[str, Any]) -> dict[str, Any]:
    again = copy.deepcopy(event)
    again["deliveryContext"] = {"isRedelivery": True}
    return again


class LineSender:
    """Posts planned events to a webhook URL with LINE's redelivery; one per request."""

    def __init__(self, url: str, redelivery: Redelivery | None = None, *, connections: int = 200) -> None:
        self.url = url
        self.redelivery = redelivery or Redelivery()
        self._connections = connections
        self._session: aiohttp.ClientSession | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def __aenter__(self) -> LineSender:
        self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=self._connections))
        return self

    async def __aexit__(self, *exc: object) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._session is not None:
            await self._session.close()

    @property
    def in_flight(self) -> int:
        """Events still being sent or waiting to be redelivered."""
        return len(self._tasks)

    def send(self, planned: Planned) -> Sent:
        """Start delivering one event now; the ``Sent`` fills in as it goes."""
        if not planned.body:
            planned.seal(time.time() - planned.offset)
        sent = Sent(planned)
        task = asyncio.create_task(self._deliver(sent))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return sent

    async def run(self, plan: list[Planned], start_epoch: float) -> list[Sent]:
        """Send ``plan`` open loop: each event at ``start_epoch + offset``, whatever the
        answers. Returns once the last is sent (redeliveries go on; see ``in_flight``)."""
        sent: list[Sent] = []
        # The generator's own garbage collection would pause its loop and be counted as
        # the server's latency: its objects are frozen and collection is off while it sends.
        gc.freeze()
        gc.disable()
        try:
            for planned in plan:
                delay = start_epoch + planned.offset - time.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                sent.append(self.send(planned))
        finally:
            gc.enable()
        return sent

    async def drain(self, deadline: float) -> None:
        """Wait for every redelivery to end, or until ``deadline`` (monotonic)."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=max(0.0, deadline - time.monotonic()))

    async def _deliver(self, sent: Sent) -> None:
        planned, policy = sent.planned, self.redelivery
        body, signature = planned.body, planned.signature
        sent.first_sent = time.time()
        for delay in policy.delays():
            started = time.perf_counter()
            status = await self._post(body, signature)
            if not sent.attempts and status[0].isdigit():
                sent.first_answer = time.perf_counter() - started
            sent.attempts.append(status)
            if status.startswith("2"):
                sent.acked_at = time.time()
                sent.ack_latency = time.perf_counter() - started
                return
            if not policy.enabled or time.time() + delay - sent.first_sent > policy.window_s:
                return
            await asyncio.sleep(delay)
            if body is planned.body:
                body = webhook_body(redelivered(planned.event))
                signature = sign(body, SECRET)

    async def _post(self, body: bytes, signature: str) -> str:
        assert self._session is not None
        headers = {"X-Line-Signature": signature, "Content-Type": "application/json"}
        timeout = aiohttp.ClientTimeout(total=self.redelivery.timeout_s)
        try:
            async with self._session.post(self.url, data=body, headers=headers, timeout=timeout) as response:
                await response.read()
                return str(response.status)
        except TimeoutError:
            return "timeout"
        except aiohttp.ClientConnectorError:
            return "refused"
        except (aiohttp.ClientError, OSError):
            return "error"
