"""Conversation state per resident, in Redis (real or embedded), with an expiry.

State is small JSON; it expires after ``ttl_s`` of silence so an abandoned flow ends
politely and nothing lingers.  Callers load and save it under the worker's
per-resident lock, so no two events of one resident race on it.  Inside a turn
(``flows.turn``) saves and drops are kept in the turn and committed by the worker with
the answer, so a turn that fails changes nothing.

Beside the state, a marker holding only the last-activity time (nothing personal) lives
longer, so a resident who comes back after the state expired is told so kindly instead of
being dropped into a fresh flow without a word.
"""

from __future__ import annotations

import json
from typing import Any

import redis.asyncio as redis

from flows import redis_keys
from flows.turn import current_turn

SEEN_TTL_FACTOR = 7


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
        # In a turn, the marker too (``lapsed`` follows a missing state on every first message),
        # read ahead by the worker with the resident's lease when it could (flows.turn).
        state_key, seen_key = redis_keys.conversation(resident), redis_keys.seen(resident)
        (have_state, raw), (have_seen, seen_value) = turn.ahead(state_key), turn.ahead(seen_key)
        if have_state and have_seen:
            seen = seen_value is not None
        else:
            pipe = self._redis.pipeline(transaction=False)
            pipe.get(state_key)
            pipe.exists(seen_key)
            raw, seen = await pipe.execute()
        turn.stored[resident] = (bool(raw), bool(seen))
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
