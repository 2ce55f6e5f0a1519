"""postback: a tapped button or picker, routed to the conversation."""

from __future__ import annotations

from linebot.v3.webhooks import PostbackEvent

from bot.events.context import EventContext
from bot.events.group import answer_group
from bot.events.registry import registry


@registry.on("postback")
async def on_postback(event: PostbackEvent, ctx: EventContext) -> None:
    if not ctx.is_one_to_one:
        await answer_group(ctx)
        return
    # Staff takeover (handoff.takeover): an old button tapped while a person owns the
    # conversation is noted in the case, and the bot does not answer it.
    if ctx.takeover is not None and await ctx.takeover.relay(
        ctx.resident, None, kind="postback", effect_key=ctx.turn.effect_key("relay")
    ):
        return
    params = ctx.raw.get("postback", {}).get("params")
    await ctx.answer(
        await ctx.conversation.on_postback(ctx.resident, event.postback.data, params)
    )
