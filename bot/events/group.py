"""Groups and rooms: consultation is one-to-one, so say so once a day and keep nothing."""

from __future__ import annotations

from bot.events.context import EventContext
from bot.events.registry import registry
from flows import redis_keys
from flows.outgoing import Text

NOTE_EVERY_S = 24 * 3600


async def answer_group(ctx: EventContext) -> None:
    # One note per chat per day: a busy group must not be flooded by the bot. The marker is
    # written with the answer (the chat's events are handled one at a time).
    if not await ctx.redis.exists(redis_keys.group_note(ctx.resident)):
        ctx.turn.writes.append(["SET", redis_keys.group_note(ctx.resident), "1", "EX", str(NOTE_EVERY_S)])
        await ctx.answer([Text(ctx.catalogue.text("group.one_to_one"))])


@registry.on("join", "memberJoined")
async def on_join(event: object, ctx: EventContext) -> None:
    await answer_group(ctx)
