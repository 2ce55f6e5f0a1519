"""Turn the conversation's neutral messages into LINE Messaging API message objects.

``message_json`` builds the API's JSON directly, as plain dicts: it runs for every answer,
and building line-bot-sdk's pydantic models only to serialise them again cost about half a
millisecond of worker CPU per event (bench/profile_handling.py). ``render`` is the same
message parsed into the SDK's models, i.e. validated by them; tests/bot/test_render.py
checks that every shape we build validates and comes back from the SDK unchanged, so
correctness is checked in tests rather than on every answer.
"""

from __future__ import annotations

from typing import Any

from linebot.v3.messaging import Message

from flows.limits import ALT_TEXT_MAX, LABEL_MAX, QUICK_REPLIES_MAX, TEXT_MAX
from flows.outgoing import Button, Card, Outgoing, Text

Json = dict[str, Any]


def _action(button: Button) -> Json:
    label = button.label[:LABEL_MAX]
    if button.pick:
        action: Json = {"type": "datetimepicker", "label": label, "data": button.data or "", "mode": button.pick}
        for name in ("initial", "max", "min"):
            if (value := getattr(button, name)) is not None:
                action[name] = value
        return action
    if button.data is not None:
        return {"type": "postback", "label": label, "data": button.data, "displayText": button.display_text or button.label}
    return {"type": "message", "label": label, "text": button.text or button.label}


def _with_quick_reply(message: Json, buttons: tuple[Button, ...]) -> Json:
    if buttons:
        message["quickReply"] = {
            "items": [{"type": "action", "action": _action(b)} for b in buttons[:QUICK_REPLIES_MAX]]
        }
    return message


def _text(text: str, size: str, **style: Any) -> Json:
    return {"type": "text", "text": text, "size": size, "wrap": True, **style}


def _card(card: Card) -> Json:
    body: list[Json] = [_text(card.title, "lg", weight="bold")]
    if card.rows:
        body.append({"type": "separator", "margin": "md"})
        for label, value in card.rows:
            body.append({
                "type": "box", "layout": "vertical", "margin": "md",
                "contents": [_text(label, "xs", color="#888888"), _text(value or "—", "sm")],
            })
    if card.note:
        body.append(_text(card.note, "xs", color="#555555", margin="lg"))
    bubble: Json = {"type": "bubble", "body": {"type": "box", "layout": "vertical", "contents": body}}
    if card.buttons:
        bubble["footer"] = {
            "type": "box", "layout": "vertical", "spacing": "sm",
            "contents": [
                {"type": "button", "action": _action(b), "style": "primary" if i == 0 else "secondary"}
                for i, b in enumerate(card.buttons)
            ],
        }
    message = {"type": "flex", "altText": card.alt_text[:ALT_TEXT_MAX], "contents": bubble}
    return _with_quick_reply(message, card.quick_replies)


def message_json(message: Outgoing) -> Json:
    """The Messaging API's JSON for one message, as the SDK's models would serialise it."""
    if isinstance(message, Text):
        return _with_quick_reply({"type": "text", "text": message.text[:TEXT_MAX]}, message.quick_replies)
    if isinstance(message, Card):
        return _card(message)
    raise TypeError(f"cannot render {type(message).__name__}")


def render(message: Outgoing) -> Message:
    """The message as line-bot-sdk's models (validated by them)."""
    return Message.from_dict(message_json(message))
