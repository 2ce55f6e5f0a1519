"""message: text goes to the conversation; anything else gets a kind request for words."""

from __future__ import annotations

from linebot.v3.webhooks import MessageEvent, TextMessageContent

from bot.events.context import EventContext
from bot.events.group import answer_group
from bot.events.registry import registry
from handoff.takeover import Relayed


@registry.on("message")
async def on_message(event: MessageEvent, ctx: EventContext) -> None:
    if not ctx.is_one_to_one:
        await answer_group(ctx)
        return
    # Staff takeover (handoff.takeover): while a person owns this conversation the message
    # goes to the case thread (the danger detector still runs there) and the bot is silent,
    # but for the emergency lines on a danger message: they go out at once, through the
    # outbox like every answer (once per event), whoever is watching the inbox.
    text = event.message.text if isinstance(event.message, TextMessageContent) else None
    kind = str(ctx.raw.get("message", {}).get("type", ""))
    relayed = Relayed.NO
    if ctx.takeover is not None:
        relayed = await ctx.takeover.relay(ctx.resident, text, kind=kind, effect_key=ctx.turn.effect_key("relay"))
    if relayed is Relayed.DANGER:  # in the resident's language, not the default one
        await ctx.answer(await ctx.conversation.danger_during_takeover(ctx.resident, text or ""))
    if relayed:
        return
    async with ctx.loading_while_slow():
        if isinstance(event.message, TextMessageContent):
            out = await ctx.conversation.on_text(ctx.resident, event.message.text)
        else:
            out = await ctx.conversation.on_media(ctx.resident, kind)
    await ctx.answer(out)


@registry.on("messageEdited")
async def on_message_edited(event: object, ctx: EventContext) -> None:
    if ctx.is_one_to_one:
        await ctx.answer(await ctx.conversation.on_media(ctx.resident, "edited"))  # in their language
