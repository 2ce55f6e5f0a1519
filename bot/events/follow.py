"""follow: welcome and say what this account is for; unfollow: forget the conversation."""

from __future__ import annotations

from linebot.v3.webhooks import FollowEvent, UnfollowEvent

from bot.events.context import EventContext
from bot.events.registry import registry


@registry.on("follow")
async def on_follow(event: FollowEvent, ctx: EventContext) -> None:
    returning = bool(event.follow and event.follow.is_unblocked)
    await ctx.answer(await ctx.conversation.welcome(ctx.resident, returning=returning))


@registry.on("unfollow")
async def on_unfollow(event: UnfollowEvent, ctx: EventContext) -> None:
    # Blocked: nothing can reach them any more, and nothing of theirs should linger.
    await ctx.conversation.forget(ctx.resident)
