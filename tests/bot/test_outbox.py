"""Delivery from the outbox against real Redis and the strict fake Messaging API: order per
resident under an outage, transient failures retried and delivered once, the reply token's
ambiguity resolved, permanent failures dead-lettered, retry keys unique per message part."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from linebot.v3.messaging import AsyncApiClient, AsyncMessagingApi, Configuration

from bot.deadletters import DeadLetters
from bot.delivery import Deliverer, DeliverySettings
from bot.dev.line_api import FakeLineApi, Fault
from bot.leases import Lease
from bot.messenger import Messenger
from bot.outbox import Commit, Outbox, OutboxMessage, retry_key
from handoff import crypto
from tests.conftest import make_settings
from tests.support.line import ACCESS_TOKEN, user_id
from tests.support.proxy import FaultyProxy, faulty_proxy
from tests.support.waiting import wait_until


def text(words: str) -> dict[str, Any]:
    return {"type": "text", "text": words}


@dataclass
class Line:
    """A deliverer of the outbox, talking to the fake Messaging API through a proxy."""

    fake: FakeLineApi
    proxy: FaultyProxy
    outbox: Outbox
    dead: DeadLetters
    make: Callable[..., Deliverer]
    alerted: list[OutboxMessage] = field(default_factory=list)

    def message(self, user: str, *words: str, token: str = "", **values: Any) -> OutboxMessage:
        return OutboxMessage(
            id=uuid.uuid4().hex, resident=f"user:{user}", to=user, parts=[[text(w) for w in words]],
            reply_token=token, event_ms=int(time.time() * 1000), **values,
        )

    def texts(self, user: str) -> list[str]:
        return self.fake.texts_for(user)


@pytest.fixture
async def line(redis_client, fake_line) -> AsyncIterator[Line]:
    fake, url = fake_line
    crypto.configure(make_settings().security.encryption_key.get_secret_value())
    host, port = url.removeprefix("http://").split(":")
    clients: list[AsyncApiClient] = []
    outbox = Outbox(redis_client, known_ttl_s=3600, useful_s=3600)
    dead = DeadLetters(redis_client, ttl_s=3600, outbox=outbox)
    async with faulty_proxy(host, int(port)) as proxy:
        found = Line(fake=fake, proxy=proxy, outbox=outbox, dead=dead, make=lambda **_: None)  # type: ignore[arg-type]

        async def alert(message: OutboxMessage) -> None:
            found.alerted.append(message)

        def make(**settings: Any) -> Deliverer:
            client = AsyncApiClient(Configuration(host=f"http://127.0.0.1:{proxy.port}", access_token=ACCESS_TOKEN))
            clients.append(client)
            values: dict[str, Any] = {"backoff_base_s": 0.05, "backoff_cap_s": 0.2, "poll_s": 0.02, **settings}
            return Deliverer(
                client=redis_client, outbox=outbox, messenger=Messenger(AsyncMessagingApi(client), timeout_s=2),
                dead_letters=dead, alert=alert, settings=DeliverySettings(**values), hash_of=lambda r: "h",
            )

        found.make = make
        yield found
    for client in clients:
        await client.close()


async def _deliver_until_empty(deliverer: Deliverer, resident: str, *, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not await deliverer.deliver(resident):
        if time.monotonic() > deadline:
            raise AssertionError("the outbox did not empty")
        await asyncio.sleep(0.05)


async def test_a_residents_answers_keep_their_order_through_an_outage(line: Line):
    user = user_id()
    deliverer = line.make()
    line.fake.inject("push", *[Fault(status=500) for _ in range(5)])
    for words in ("一つ目", "二つ目", "三つ目"):
        await line.outbox.enqueue(line.message(user, words))
    assert not await deliverer.deliver(f"user:{user}")  # LINE answers 500: all still waiting
    assert line.texts(user) == []
    await _deliver_until_empty(deliverer, f"user:{user}")
    assert line.texts(user) == ["一つ目", "二つ目", "三つ目"]
    assert line.fake.calls["push"] == 5 + 3


@pytest.mark.parametrize("fault", [
    Fault(status=500),
    Fault(status=503, body={"message": "Service unavailable"}),
    Fault(status=429, body={"message": "Too many requests"}, headers={"Retry-After": "1"}),
    Fault(status=500, after_success=True),  # it went out, but the answer was lost
])
async def test_transient_failures_are_retried_and_delivered_once(line: Line, fault: Fault):
    user = user_id()
    deliverer = line.make()
    line.fake.inject("push", fault, Fault(status=500))
    message = line.message(user, "こんにちは")
    await line.outbox.enqueue(message)
    assert not await deliverer.deliver(f"user:{user}")
    waiting = await line.outbox.head(f"user:{user}")
    assert waiting is not None and waiting.attempts == 1
    if fault.headers.get("Retry-After"):  # LINE's Retry-After is honoured, not the backoff
        assert waiting.next_ms - int(time.time() * 1000) > 500
    await _deliver_until_empty(deliverer, f"user:{user}")
    assert line.texts(user) == ["こんにちは"]
    assert {d.retry_key for d in line.fake.deliveries} == {retry_key(message.id, 0)}


async def test_line_unreachable_then_back_delivers_once(line: Line):
    """Connections refused, kept-alive ones reset, then a hang: the answer waits and goes once."""
    user = user_id()
    deliverer = line.make()
    await line.outbox.enqueue(line.message(user, "まえの返事"))
    await _deliver_until_empty(deliverer, f"user:{user}")  # a kept-alive connection now exists
    await line.proxy.refuse()
    await line.outbox.enqueue(line.message(user, "あとの返事"))
    assert not await deliverer.deliver(f"user:{user}")
    await asyncio.sleep(0.25)  # past the backoff
    await line.proxy.hang()
    assert not await deliverer.deliver(f"user:{user}")  # the call times out
    await line.proxy.forward()
    await _deliver_until_empty(deliverer, f"user:{user}")
    assert line.texts(user) == ["まえの返事", "あとの返事"]


async def test_a_reply_whose_outcome_was_lost_is_resolved_by_the_same_token(line: Line):
    user = user_id()
    deliverer = line.make()
    token = line.fake.issue_reply_token(user)
    line.fake.inject("reply", Fault(status=500, after_success=True))
    await line.outbox.enqueue(line.message(user, "返事", token=token))
    assert not await deliverer.deliver(f"user:{user}")
    waiting = await line.outbox.head(f"user:{user}")
    assert waiting is not None and waiting.reply == "attempting"
    await _deliver_until_empty(deliverer, f"user:{user}")
    # Tried again with the same young token: "Invalid reply token" means the first went out.
    assert [d.kind for d in line.fake.deliveries] == ["reply"]
    assert line.fake.calls["reply"] == 2 and line.fake.calls["push"] == 0


async def test_a_reply_that_failed_before_going_out_is_sent_by_reply_again(line: Line):
    user = user_id()
    deliverer = line.make()
    token = line.fake.issue_reply_token(user)
    line.fake.inject("reply", Fault(status=500))
    await line.outbox.enqueue(line.message(user, "返事", token=token))
    await _deliver_until_empty(deliverer, f"user:{user}")
    assert [d.kind for d in line.fake.deliveries] == ["reply"]
    assert line.texts(user) == ["返事"]


async def test_a_deliverer_killed_mid_reply_is_resolved_by_the_next_one(line: Line):
    """A worker recorded "attempting", its reply went out, and it died before writing so:
    the next deliverer retries the young token, learns it was used, and sends nothing."""
    user = user_id()
    token = line.fake.issue_reply_token(user)
    message = line.message(user, "返事", token=token)
    await line.outbox.enqueue(message)
    await line.outbox.update(message, reply="attempting")
    client = AsyncApiClient(Configuration(host=f"http://127.0.0.1:{line.proxy.port}", access_token=ACCESS_TOKEN))
    try:  # the dead worker's call, which LINE carried out
        await Messenger(AsyncMessagingApi(client)).reply(token, [text("返事")])
    finally:
        await client.close()
    await _deliver_until_empty(line.make(), f"user:{user}")
    assert line.texts(user) == ["返事"]


async def test_a_reply_too_old_to_resolve_is_pushed(line: Line):
    """Policy: when the token is too old to tell whether a reply went out, push (a duplicate
    is judged better than silence)."""
    user = user_id()
    token = line.fake.issue_reply_token(user)
    line.fake.inject("reply", Fault(status=500))  # not delivered, outcome unknown to the bot
    await line.outbox.enqueue(line.message(user, "返事", token=token))
    assert not await line.make().deliver(f"user:{user}")
    waiting = await line.outbox.head(f"user:{user}")
    assert waiting is not None and waiting.reply == "attempting"
    await asyncio.sleep(0.35)
    # Seen by a deliverer for which the token is now older than its window:
    await _deliver_until_empty(line.make(reply_window_s=0.3), f"user:{user}")
    assert [d.kind for d in line.fake.deliveries] == ["push"]
    assert line.texts(user) == ["返事"]


async def test_an_expired_token_goes_by_push_at_once(line: Line):
    user = user_id()
    stale = line.fake.issue_reply_token(user, issued_at=time.time() - 600)
    await line.outbox.enqueue(line.message(user, "返事", token=stale))
    await _deliver_until_empty(line.make(), f"user:{user}")
    assert [d.kind for d in line.fake.deliveries] == ["push"]
    assert [r["message"] for r in line.fake.rejected] == ["Invalid reply token"]


async def test_every_message_part_has_its_own_retry_key(line: Line):
    """Same words, another message: another key (LINE answers 409 to a reused key and
    delivers nothing). Six messages make two parts, each with its key."""
    user = user_id()
    first, second = line.message(user, "同じ言葉"), line.message(user, "同じ言葉")
    long = line.message(user, *[f"{i}" for i in range(6)])
    long.parts = [long.parts[0][:5], long.parts[0][5:]]
    for message in (first, second, long):
        await line.outbox.enqueue(message)
    await _deliver_until_empty(line.make(), f"user:{user}")
    keys = [d.retry_key for d in line.fake.deliveries]
    assert len(keys) == len(set(keys)) == 4
    assert line.texts(user) == ["同じ言葉", "同じ言葉", "0", "1", "2", "3", "4", "5"]


async def test_enqueueing_the_same_message_twice_queues_it_once(line: Line):
    user = user_id()
    message = line.message(user, "一度だけ")
    assert await line.outbox.enqueue(message)
    assert not await line.outbox.enqueue(message)
    await _deliver_until_empty(line.make(), f"user:{user}")
    assert line.texts(user) == ["一度だけ"]


async def test_a_blocked_resident_makes_an_encrypted_dead_letter_and_the_queue_moves_on(line: Line, redis_client):
    user = user_id()
    line.fake.inject("push", Fault(status=403, body={"message": "The user has blocked the account"}))
    await line.outbox.enqueue(line.message(user, "とどかない言葉"))
    await line.outbox.enqueue(line.message(user, "つぎの言葉"))
    await _deliver_until_empty(line.make(), f"user:{user}")
    assert line.texts(user) == ["つぎの言葉"]
    (letter,) = await line.dead.all()
    assert (letter.kind, letter.reason) == ("delivery", "line_403")
    assert "とどかない言葉" in letter.payload["parts"]
    raw = b"".join(k + v for k, v in (await redis_client.hgetall(f"tsunagu:dead:{letter.id}")).items())
    assert "とどかない言葉".encode() not in raw and user.encode() not in raw  # encrypted at rest
    assert await line.dead.count() == 1
    # Replayed (say, after the resident unblocked): a new message, new keys, delivered.
    assert await line.dead.replay(letter.id) == "message_requeued"
    await _deliver_until_empty(line.make(), f"user:{user}")
    assert line.texts(user) == ["つぎの言葉", "とどかない言葉"]
    assert await line.dead.count() == 0


async def test_an_answer_past_its_useful_time_is_a_dead_letter(line: Line):
    user = user_id()
    line.fake.inject("push", *[Fault(status=500) for _ in range(3)])
    message = line.message(user, "古い返事")
    await line.outbox.enqueue(message)
    assert not await line.make().deliver(f"user:{user}")
    # Hours later (delivery_useful_s): no longer worth sending.
    await line.outbox.update(message, useful_until_ms=int(time.time() * 1000) - 1, next_ms=0)
    await _deliver_until_empty(line.make(), f"user:{user}")
    assert line.texts(user) == []
    (letter,) = await line.dead.all()
    assert letter.reason == "expired"


async def test_an_undelivered_danger_answer_alerts_once_and_still_goes_out_later(line: Line):
    user = user_id()
    await line.proxy.refuse()
    danger = line.message(user, "緊急の連絡先", danger=True)
    await line.outbox.enqueue(danger)
    assert not await line.make(alert_after_s=60).deliver(f"user:{user}")
    assert line.alerted == []  # not yet: LINE may be back within the grace time
    deliverer = line.make(alert_after_s=0.2)  # the grace time has passed
    await wait_until(lambda: time.time() * 1000 > danger.created_ms + 250, timeout=2)
    assert not await deliverer.deliver(f"user:{user}")
    assert [m.id for m in line.alerted] == [danger.id]
    await line.proxy.forward()
    await _deliver_until_empty(deliverer, f"user:{user}")
    assert line.texts(user) == ["緊急の連絡先"]
    assert [m.id for m in line.alerted] == [danger.id]


async def test_line_coming_back_wakes_every_backed_off_resident(line: Line):
    """After an outage, the first delivery that succeeds wakes the residents waiting out a
    long backoff: their answers go now, not when each backoff ends."""
    waiting = [user_id() for _ in range(3)]
    deliverer = line.make(backoff_base_s=600, backoff_cap_s=600)
    line.fake.inject("push", *[Fault(status=500) for _ in waiting])
    for user in waiting:
        await line.outbox.enqueue(line.message(user, "待っていた返事"))
        assert not await deliverer.deliver(f"user:{user}")  # next try in ten minutes
    newcomer = user_id()
    await line.outbox.enqueue(line.message(newcomer, "新しい返事"))
    assert await deliverer.deliver(f"user:{newcomer}")  # LINE is back
    loop = asyncio.create_task(deliverer.run())
    try:
        await wait_until(lambda: all(line.texts(u) == ["待っていた返事"] for u in waiting), timeout=10)
    finally:
        deliverer.stop()
        await loop


async def test_the_deliverers_lease_is_taken_with_the_head_and_released_with_the_last_finish(line: Line, redis_client):
    user = user_id()
    resident = f"user:{user}"
    first, second = line.message(user, "一つ目"), line.message(user, "二つ目")
    assert await line.outbox.enqueue(first) and await line.outbox.enqueue(second)
    lease = Lease(redis_client, line.outbox.lease_key(resident), 5.0)
    taken, head = await line.outbox.acquire_and_head(lease, resident)
    assert taken and head is not None and head[0] is not None and head[0].id == first.id
    other = Lease(redis_client, line.outbox.lease_key(resident), 5.0)
    assert await line.outbox.acquire_and_head(other, resident) == (False, None)  # held: no head read
    left, _woken = await line.outbox.finish_delivered(first, [], lease)
    assert left == 1 and await redis_client.get(lease.key) == lease.token.encode()  # one still queued
    left, _woken = await line.outbox.finish_delivered(second, [], lease)
    assert left == 0 and await redis_client.get(lease.key) is None and not lease.held
    assert await line.outbox.acquire_and_head(other, resident) == (True, (None, 0))
    await other.release()


async def test_a_commit_takes_the_deliverers_lease_and_its_message_goes_out_once(line: Line, redis_client):
    user = user_id()
    resident = f"user:{user}"
    deliverer = line.make()
    answer = line.message(user, "答え", token=line.fake.issue_reply_token(user))
    result, taken = await deliverer.commit_and_take(Commit(message=answer), resident)
    assert result == 1 and taken is not None and taken.head is not None and taken.head[0] is not None
    assert taken.head[0].id == answer.id  # read in the commit's transaction, after it
    assert await redis_client.get(line.outbox.lease_key(resident)) == taken.lease.token.encode()
    assert not await deliverer.deliver(resident)  # this deliverer is at it: nobody else starts
    assert await deliverer.deliver_taken(taken)
    assert line.texts(user) == ["答え"] and [d.kind for d in line.fake.messages_for(user)] == ["reply"]
    assert await redis_client.get(line.outbox.lease_key(resident)) is None
    # Another deliverer holds the lease: the commit is written all the same, and left to it.
    holder = Lease(redis_client, line.outbox.lease_key(resident), 5.0)
    assert await holder.acquire()
    later = line.message(user, "次の答え")
    result, taken = await deliverer.commit_and_take(Commit(message=later), resident)
    assert result == 1 and taken is None and await line.outbox.head(resident) is not None
    await holder.release()
    await _deliver_until_empty(deliverer, resident)
    assert line.texts(user) == ["答え", "次の答え"]
