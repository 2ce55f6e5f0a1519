"""Who owns a resident's conversation: the bot, or a person at a centre.

A small Redis registry keyed by the keyed hash of the LINE user id (the same hash the case
stores), so the LINE edge can ask "does a person own this conversation?" without the
database. While a person owns it, ``StaffRelay`` puts the resident's messages into the case
thread and still runs the danger detector; the bot does not answer, except with the
emergency lines when the detector fires (``Relayed.DANGER``): those never wait for someone
to look at a screen.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import redis.asyncio as redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flows.turn import current_turn
from handoff import effects, lifecycle
from handoff.cases import CaseNotOpen, add_resident_message
from handoff.crypto import lookup_hash
from handoff.models import Handoff
from handoff.staff_models import CaseEntry

PREFIX = "tsunagu:takeover:"
USER_PREFIX = "user:"
# A takeover nobody handed back still ends, so the bot cannot stay silent for ever.
MAX_TAKEOVER_S = 14 * 24 * 3600

UrgentAlert = Callable[[int, str], Awaitable[None]]  # (case id, centre code)


class Relayed(enum.Enum):
    """What ``StaffRelay.relay`` did with a resident's message; true when a person has it."""

    NO = "no"  # nobody at a centre owns the conversation: the bot answers
    HELD = "held"  # noted in the case thread; the bot stays quiet
    DANGER = "danger"  # noted and the case flagged urgent: the resident gets the emergency lines

    def __bool__(self) -> bool:
        return self is not Relayed.NO


@dataclass(frozen=True)
class Owner:
    case_id: int
    staff_id: int
    since: datetime


def resident_hash(resident: str) -> str | None:
    """The case's lookup hash for a one-to-one conversation key (``user:U…``)."""
    if not resident.startswith(USER_PREFIX):
        return None
    return lookup_hash(resident.removeprefix(USER_PREFIX))


class TakeoverRegistry:
    def __init__(self, client: redis.Redis, ttl_s: int = MAX_TAKEOVER_S) -> None:
        self._redis = client
        self._ttl = ttl_s

    def take_command(self, user_hash: str, *, case_id: int, staff_id: int) -> list[str]:
        """The Redis command that hands the conversation to a person: run it only once the
        database has committed the takeover (with the notice's enqueue, bot.staff_push)."""
        record = {"case_id": case_id, "staff_id": staff_id, "since": datetime.now(UTC).isoformat()}
        return ["SET", PREFIX + user_hash, json.dumps(record), "EX", str(self._ttl)]

    @staticmethod
    def release_command(user_hash: str) -> list[str]:
        return ["DEL", PREFIX + user_hash]

    async def take(self, user_hash: str, *, case_id: int, staff_id: int) -> None:
        command = self.take_command(user_hash, case_id=case_id, staff_id=staff_id)
        await self._redis.execute_command(*command)  # type: ignore[no-untyped-call]

    async def release(self, user_hash: str) -> bool:
        return bool(await self._redis.delete(PREFIX + user_hash))

    @staticmethod
    def key(user_hash: str) -> str:
        return PREFIX + user_hash

    async def owner(self, user_hash: str) -> Owner | None:
        turn = current_turn()
        known, raw = turn.ahead(PREFIX + user_hash) if turn is not None else (False, None)
        if not known:
            raw = await self._redis.get(PREFIX + user_hash)  # type: ignore[assignment]  # bytes: not decoded
        if raw is None:
            return None
        record = json.loads(raw)
        return Owner(
            case_id=int(record["case_id"]),
            staff_id=int(record["staff_id"]),
            since=datetime.fromisoformat(record["since"]),
        )


class StaffRelay:
    """What the LINE edge calls before the conversation: True means "a person has it"."""

    def __init__(
        self,
        registry: TakeoverRegistry,
        sessions: async_sessionmaker[AsyncSession],
        danger: Callable[[str], bool],
        alert: UrgentAlert | None = None,
    ) -> None:
        self.registry = registry
        self._sessions = sessions
        self._danger = danger
        self._alert = alert

    @staticmethod
    def read_ahead_keys(resident: str) -> list[str]:
        """What ``relay`` reads of Redis, for the worker to read with the resident's lease."""
        user_hash = resident_hash(resident)
        return [] if user_hash is None else [TakeoverRegistry.key(user_hash)]

    async def relay(
        self, resident: str, text: str | None, *, kind: str = "text", effect_key: str | None = None
    ) -> Relayed:
        """``effect_key`` (event id based) makes a re-handled event add its message once."""
        user_hash = resident_hash(resident)
        if user_hash is None:
            return Relayed.NO
        owner = await self.registry.owner(user_hash)
        if owner is None:
            return Relayed.NO
        dangerous = bool(text) and self._danger(text or "")
        async with self._sessions() as session, session.begin():

            async def note() -> str | None:
                handoff = await session.get(Handoff, owner.case_id)
                if handoff is None or handoff.line_user_hash != user_hash or not handoff.is_open:
                    return None
                try:
                    if text:
                        await add_resident_message(session, owner.case_id, text)
                    else:
                        session.add(
                            CaseEntry(handoff_id=owner.case_id, kind="resident_media", meta={"type": kind})
                        )
                except CaseNotOpen:
                    return None
                if dangerous:
                    await flag_urgent(session, handoff)
                return handoff.primary_centre

            centre = await effects.once(session, effect_key, note)
        if centre is None:
            await self.registry.release(user_hash)  # the case ended: the bot answers again
            return Relayed.NO
        if dangerous and self._alert is not None:
            await self._alert(owner.case_id, centre)
        return Relayed.DANGER if dangerous else Relayed.HELD


async def flag_urgent(session: AsyncSession, handoff: Handoff) -> None:
    """The danger detector fired on a message in a staff-owned conversation."""
    await lifecycle.flag_urgent(session, handoff, lifecycle.DangerReport(source="detector"))
