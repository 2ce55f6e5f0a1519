"""The answers' JSON is built as plain dicts (bot.render.message_json); line-bot-sdk's models
must accept every shape we build and serialise it back unchanged (nothing dropped,
renamed or added), so what goes to LINE is what the SDK would have sent."""

from __future__ import annotations

import pytest
from linebot.v3.messaging import (
    DatetimePickerAction,
    FlexMessage,
    MessageAction,
    PostbackAction,
    TextMessage,
)

from bot.render import message_json, render
from flows.limits import ALT_TEXT_MAX, LABEL_MAX, QUICK_REPLIES_MAX, TEXT_MAX
from flows.outgoing import Button, Card, Outgoing, Text

BUTTONS = (
    Button(label="はい", data="consent=yes", display_text="はい、お願いします"),
    Button(label="いいえ", data="consent=no"),  # display text falls back to the label
    Button(label="相談したい", text="相談したい"),
    Button(label="help"),  # message text falls back to the label
    Button(label="日付を選ぶ", pick="date", data="slot=pick", initial="2026-12-01", min="2026-12-01", max="2027-01-31"),
    Button(label="時刻", pick="time", data="t"),
    Button(label="日時", pick="datetime", data="dt", initial="2026-12-01T10:00"),
    Button(label="長" * (LABEL_MAX + 10), data="long"),
)

SHAPES: list[Outgoing] = [
    Text("こんにちは"),
    Text("x" * (TEXT_MAX + 50)),
    Text("選んでください", quick_replies=BUTTONS),
    Text("many", quick_replies=tuple(Button(label=f"b{i}", data=str(i)) for i in range(QUICK_REPLIES_MAX + 3))),
    Card(alt_text="まとめ", title="ご相談のまとめ"),
    Card(alt_text="a" * (ALT_TEXT_MAX + 5), title="T", rows=(("お名前", "山田"), ("ご連絡先", "")), note="確認してください"),
    Card(alt_text="slots", title="日時", buttons=BUTTONS[:3], quick_replies=BUTTONS[3:]),
]


@pytest.mark.parametrize("message", SHAPES, ids=range(len(SHAPES)))
def test_the_sdk_accepts_what_we_build_and_serialises_it_unchanged(message: Outgoing) -> None:
    built = message_json(message)
    model = render(message)
    assert isinstance(model, TextMessage if isinstance(message, Text) else FlexMessage)
    assert model.to_dict() == built


def test_limits_are_applied_and_buttons_become_the_right_actions() -> None:
    long_text = render(SHAPES[1])
    assert len(long_text.text) == TEXT_MAX
    many = render(SHAPES[3])
    assert len(many.quick_reply.items) == QUICK_REPLIES_MAX
    actions = [item.action for item in render(SHAPES[2]).quick_reply.items]
    assert [type(a) for a in actions] == [
        PostbackAction, PostbackAction, MessageAction, MessageAction,
        DatetimePickerAction, DatetimePickerAction, DatetimePickerAction, PostbackAction,
    ]
    assert actions[0].display_text == "はい、お願いします" and actions[1].display_text == "いいえ"
    assert actions[3].text == "help"
    assert (actions[4].mode, actions[4].initial, actions[4].min, actions[4].max) == ("date", "2026-12-01", "2026-12-01", "2027-01-31")
    assert actions[5].initial is None
    assert len(actions[7].label) == LABEL_MAX
    card = render(SHAPES[5])
    assert len(card.alt_text) == ALT_TEXT_MAX
    assert card.contents.footer is None
    rows = card.contents.body.contents
    assert rows[3].contents[1].text == "—"  # an empty value shows a dash
    assert rows[-1].text == "確認してください"
    footer = render(SHAPES[6]).contents.footer.contents
    assert [b.style for b in footer] == ["primary", "secondary", "secondary"]


def test_an_unknown_message_type_is_refused() -> None:
    with pytest.raises(TypeError):
        message_json("plain string")  # type: ignore[arg-type]
