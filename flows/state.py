"""Conversation state per resident, in Redis (real or embedded), with an expiry.

State is small JSON; it expires after ``ttl_s`` of silence so an abandoned flow ends
politely and nothing lingers.  Callers load and save it under the worker's
per-resident lock, so no two events of one resident race on it.  Inside a turn
(``flows.turn``) saves and drops are kept in the turn and committed by the worker with
the answer, so a turn that fails changes nothing.

Beside the state, a marker holding only the last-activity time (nothing personal) lives
longer, so a resident who comes back after the state expired is told so kindly instead of
being dropped into a fresh flow without a word.

The language a resident picked (a typed command, a language button) is remembered apart
from the state, under its own keyed-hash key (``redis_keys.language``), so it outlives the
conversation: a handoff, 「やめる」 or an expiry ends the state, not the choice. The key holds
the language code and nothing else (no words, no LINE id); a language alone is not special
care information. It lives ``LANGUAGE_TTL_S`` after it was last written (written when the
choice changes and again when a conversation ends with it), long enough for a resident who
comes back months later (a case can run for weeks, a new trouble can come in a season), and
well short of a case's retention: a resident who left the ward leaves nothing behind for
long. 「わたしのデータを消す」 removes it with the rest (``flows.conversation``), and a refused
consent forgets it too (``flows.phases.consent``).
"""

from __future__ import annotations

import json
from typing import Any

import redis.asyncio as redis

from flows import redis_keys
from flows.turn import current_turn

SEEN_TTL_FACTOR = 7
LANGUAGE_TTL_S = 180 * 24 * 3600


class StateStore:
    def __init__(self, client: redis.Redis, ttl_s: int) -> None:
        self._redis = client
        self._ttl_s = ttl_s

    @property
    def ttl_s(self) -> int:
        return self._ttl_s

    async def load(self, resident: str) -> dict[str, Any] | None:
        turn = current_turn()
        if turn is not None and resident in turn.states:
            kept = turn.states[resident]
            return json.loads(json.dumps(kept)) if kept is not None else None
        if turn is None:
            raw = await self._redis.get(redis_keys.conversation(resident))
            return json.loads(raw) if raw else None
        # In a turn, the marker and the picked language too (``lapsed`` follows a missing
        # state on every first message), read ahead by the worker with the resident's lease
        # when it could (flows.turn).
        keys = (redis_keys.conversation(resident), redis_keys.seen(resident), redis_keys.language(resident))
        ahead = [turn.ahead(key) for key in keys]
        if all(have for have, _ in ahead):
            raw, seen_value, picked = (value for _, value in ahead)
            seen = seen_value is not None
        else:
            pipe = self._redis.pipeline(transaction=False)
            pipe.get(keys[0])
            pipe.exists(keys[1])
            pipe.get(keys[2])
            raw, seen, picked = await pipe.execute()
        turn.stored[resident] = (bool(raw), bool(seen))
        turn.languages.setdefault(resident, _text(picked))
        return json.loads(raw) if raw else None

    async def save(self, resident: str, state: dict[str, Any]) -> None:
        turn = current_turn()
        if turn is not None:
            turn.states[resident] = json.loads(json.dumps(state))
            return
        for command in self.save_commands(resident, state):
            await self._redis.execute_command(*command)  # type: ignore[no-untyped-call]

    async def drop(self, resident: str) -> None:
        turn = current_turn()
        if turn is not None:
            turn.states[resident] = None
            return
        await self._redis.delete(redis_keys.conversation(resident), redis_keys.seen(resident))

    async def lapsed(self, resident: str) -> bool:
        """A conversation was under way and its state has expired since."""
        turn = current_turn()
        if turn is not None and resident in turn.stored:
            state, seen = turn.stored[resident]
            return not state and seen
        if await self._redis.exists(redis_keys.conversation(resident)):
            return False
        return bool(await self._redis.exists(redis_keys.seen(resident)))

    async def language(self, resident: str) -> str | None:
        """The language the resident picked, remembered across conversations."""
        turn = current_turn()
        if turn is not None and resident in turn.languages:
            return turn.languages[resident]
        return _text(await self._redis.get(redis_keys.language(resident)))

    async def remember_language(self, resident: str, code: str | None) -> None:
        """Remember the picked language for ``LANGUAGE_TTL_S`` (again), or forget it (None)."""
        command = self.language_command(resident, code)
        turn = current_turn()
        if turn is not None:
            turn.writes.append(command)
            turn.languages[resident] = code
            return
        await self._redis.execute_command(*command)  # type: ignore[no-untyped-call]

    @staticmethod
    def language_command(resident: str, code: str | None) -> list[str]:
        if code is None:
            return ["DEL", redis_keys.language(resident)]
        return ["SET", redis_keys.language(resident), code, "EX", str(LANGUAGE_TTL_S)]

    def save_commands(self, resident: str, state: dict[str, Any] | None) -> list[list[str]]:
        """The Redis commands that store (or, for None, drop) a resident's state."""
        if state is None:
            return [["DEL", redis_keys.conversation(resident), redis_keys.seen(resident)]]
        last = str(state.get("last", ""))
        return [
            ["SET", redis_keys.conversation(resident), json.dumps(state, ensure_ascii=False), "EX", str(self._ttl_s)],
            ["SET", redis_keys.seen(resident), last, "EX", str(self._ttl_s * SEEN_TTL_FACTOR)],
        ]

    def commands(self, states: dict[str, dict[str, Any] | None]) -> list[list[str]]:
        """Every write a turn kept, as Redis commands for the worker's commit."""
        return [command for resident, state in states.items() for command in self.save_commands(resident, state)]


def _text(value: bytes | str | None) -> str | None:
    return value.decode() if isinstance(value, bytes) else value
