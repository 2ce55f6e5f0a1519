"""Turns one stored webhook event into a handled turn: its answer and its state writes.

This is the worker's handler: it re-parses the raw event with the SDK's models (unknown
types stay raw), works out who it concerns, runs the registered handler inside a turn
(``flows.turn``: nothing is written yet), and returns what the worker commits in one step.
Events of a chat another channel owns (``mode: standby``) are acknowledged, not answered.
"""

from __future__ import annotations

from typing import Any

import redis.asyncio as redis
from linebot.v3.webhooks import Event

from bot.alerts import alert_payload
from bot.deadletters import REPLAY_FIELD
from bot.erasure import forget_writes
from bot.events import follow, group, message, postback  # noqa: F401  (register handlers)
from bot.events.context import EventContext
from bot.events.registry import EventRegistry, registry
from bot.intake import event_id
from bot.logs import get_logger
from bot.messenger import Messenger
from bot.outbox import Outbox, OutboxMessage, split_parts
from bot.render import message_json
from bot.residents import conversation_key, keyed_hash
from bot.worker import Handled
from flows import language, redis_keys
from flows.catalogue import Catalogue
from flows.conversation import Conversation
from flows.limits import MESSAGES_PER_CALL
from flows.outgoing import Outgoing
from flows.ports import Understands
from flows.state import StateStore
from flows.turn import Turn
from handoff.takeover import StaffRelay

log = get_logger("bot.dispatch")


def _chat_id(raw: dict[str, Any]) -> str | None:
    source = raw.get("source") or {}
    return source.get("groupId") or source.get("roomId") or source.get("userId")


def _parse(raw: dict[str, Any]) -> Any:
    try:
        return Event.from_dict(raw)
    except ValueError:  # a type this SDK version does not know
        return None


def _text_of(raw: dict[str, Any]) -> str | None:
    content = raw.get("message") or {}
    if raw.get("type") == "message" and content.get("type") == "text":
        return str(content.get("text") or "")
    return None


class Dispatcher:
    def __init__(
        self,
        *,
        messenger: Messenger,
        conversation: Conversation,
        state: StateStore,
        catalogue: Catalogue,
        client: redis.Redis,
        hash_key: str,
        understander: Understands | None = None,
        events: EventRegistry = registry,
        takeover: StaffRelay | None = None,
        loading_after_s: float = 0.0,
    ) -> None:
        self._messenger = messenger
        self._conversation = conversation
        self._state = state
        self._catalogue = catalogue
        self._redis = client
        self._hash_key = hash_key
        self._understander = understander
        self._events = events
        self._takeover = takeover  # the staff inbox's relay: a person may own the chat
        self._loading_after_s = loading_after_s

    def hash_of(self, resident: str) -> str:
        return keyed_hash(self._hash_key, resident)

    def read_ahead_keys(self, resident: str) -> list[str]:
        """The Redis keys a turn of ``resident`` reads first (its state, the state's marker, the
        language they picked, a staff takeover): the worker reads them with the resident's
        lease (``flows.turn``)."""
        keys = [redis_keys.conversation(resident), redis_keys.seen(resident), redis_keys.language(resident)]
        return keys if self._takeover is None else keys + self._takeover.read_ahead_keys(resident)

    async def __call__(self, raw: dict[str, Any]) -> Handled:
        resident = conversation_key(raw)
        if raw.get("mode") == "standby":
            # Another channel (a module, a chat tool) owns this chat now: not ours to answer.
            log.info("event.standby", event_type=raw.get("type"), resident=self.hash_of(resident))
            return Handled()
        with Turn.open(event_id(raw)) as turn:
            ctx = EventContext(
                event_id=turn.event_id,
                resident=resident,
                resident_hash=self.hash_of(resident),
                chat_id=_chat_id(raw),
                reply_token=raw.get("replyToken"),
                raw=raw,
                messenger=self._messenger,
                conversation=self._conversation,
                catalogue=self._catalogue,
                redis=self._redis,
                turn=turn,
                takeover=self._takeover,
                loading_after_s=self._loading_after_s,
            )
            event_type = str(raw.get("type"))
            model = _parse(raw)
            handler = self._events.handler_for(event_type if model is not None else "")
            log.info("event.handling", event_type=event_type, resident=ctx.resident_hash)
            await handler(model, ctx)
        text = _text_of(raw)
        danger = turn.danger or (text is not None and self._danger(text))
        forget = await forget_writes(self._redis, ctx.resident_hash) if turn.forget else []
        return Handled(
            message=self._message(raw, resident, ctx.outgoing, kind="answer", danger=danger,
                                  answered_in=turn.language),
            writes=[
                *self._state.commands(turn.states), *turn.writes, *forget,
                *(Outbox.record_write({"type": "event", **row}) for row in turn.rows),
            ],
        )

    def last_resort(self, raw: dict[str, Any]) -> Handled | None:
        """For a danger message whose handling failed: the emergency lines from the
        catalogue, staff alerted at once (the state is left as it was). None otherwise."""
        text = _text_of(raw)
        if text is None or not self._danger(text) or raw.get("mode") == "standby":
            return None
        # In the language the message was written in: the resident's state is out of reach here.
        written_in = self._language_of(text)
        lines: list[Outgoing] = [self._conversation.emergency_lines(written_in)]
        return Handled(message=self._message(raw, conversation_key(raw), lines, kind="last_resort", danger=True,
                                             answered_in=written_in))

    def _danger(self, text: str) -> bool:
        return self._understander is not None and self._understander.danger(text)

    def _language_of(self, text: str) -> str | None:
        identifier = getattr(self._understander, "languages", None)
        if identifier is None:
            return None
        guess = identifier.identify(text)
        return language.detected(guess.language, guess.easy_japanese)

    def _kinds(self, text: str) -> list[str]:
        verdict = getattr(self._understander, "danger_verdict", None)
        return list(verdict(text).categories) if callable(verdict) else []

    def _message(
        self, raw: dict[str, Any], resident: str, outgoing: list[Outgoing], *, kind: str, danger: bool,
        answered_in: str | None = None,
    ) -> OutboxMessage | None:
        if not outgoing:
            return None
        text = _text_of(raw) or ""
        replay = raw.get(REPLAY_FIELD)
        return OutboxMessage(
            id=event_id(raw) + (f":replay:{replay}" if replay else ""),
            resident=resident,
            to=_chat_id(raw) or "",
            parts=split_parts([message_json(m) for m in outgoing], MESSAGES_PER_CALL),
            kind=kind,
            reply_token=str(raw.get("replyToken") or ""),
            event_ms=int(raw.get("timestamp") or 0),
            danger=danger,
            alert=alert_payload(text, self._kinds(text), answered_in or self._language_of(text)) if danger else "",
        )
