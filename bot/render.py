"""Turn the conversation's neutral messages into LINE Messaging API message objects."""

from __future__ import annotations

from linebot.v3.messaging import (
    DatetimePickerAction,
    FlexBox,
    FlexBubble,
    FlexButton,
    FlexComponent,
    FlexMessage,
    FlexSeparator,
    FlexText,
    Message,
    MessageAction,
    PostbackAction,
    QuickReply,
    QuickReplyItem,
    TextMessage,
)

from flows.limits import ALT_TEXT_MAX, LABEL_MAX, QUICK_REPLIES_MAX, TEXT_MAX
from flows.outgoing import Button, Card, Outgoing, Text


def _action(button: Button) -> MessageAction | PostbackAction | DatetimePickerAction:
    label = button.label[:LABEL_MAX]
    if button.pick:
        return DatetimePickerAction(
            label=label,
            data=button.data or "",
            mode=button.pick,
            initial=button.initial,
            min=button.min,
            max=button.max,
        )
    if button.data is not None:
        return PostbackAction(
            label=label, data=button.data, displayText=button.display_text or button.label
        )
    return MessageAction(label=label, text=button.text or button.label)


def _quick_reply(buttons: tuple[Button, ...]) -> QuickReply | None:
    if not buttons:
        return None
    return QuickReply(items=[QuickReplyItem(action=_action(b)) for b in buttons[:QUICK_REPLIES_MAX]])


def _card(card: Card) -> FlexMessage:
    body: list[FlexComponent] = [FlexText(text=card.title, weight="bold", size="lg", wrap=True)]
    if card.rows:
        body.append(FlexSeparator(margin="md"))
        for label, value in card.rows:
            body.append(
                FlexBox(
                    layout="vertical",
                    margin="md",
                    contents=[
                        FlexText(text=label, size="xs", color="#888888", wrap=True),
                        FlexText(text=value or "—", size="sm", wrap=True),
                    ],
                )
            )
    if card.note:
        body.append(FlexText(text=card.note, size="xs", color="#555555", wrap=True, margin="lg"))
    footer = None
    if card.buttons:
        footer = FlexBox(
            layout="vertical",
            spacing="sm",
            contents=[
                FlexButton(action=_action(b), style="primary" if i == 0 else "secondary")
                for i, b in enumerate(card.buttons)
            ],
        )
    bubble = FlexBubble(body=FlexBox(layout="vertical", contents=body), footer=footer)
    return FlexMessage(altText=card.alt_text[:ALT_TEXT_MAX], contents=bubble, quickReply=_quick_reply(card.quick_replies))


def render(message: Outgoing) -> Message:
    if isinstance(message, Text):
        return TextMessage(text=message.text[:TEXT_MAX], quickReply=_quick_reply(message.quick_replies))
    if isinstance(message, Card):
        return _card(message)
    raise TypeError(f"cannot render {type(message).__name__}")
