"""A resident scripted against the in-process conversation, whatever desk and state store
it runs on: the in-memory ports (tests/flows) or PostgreSQL and Redis (tests/handoff/desk)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flows.catalogue import load_catalogue
from flows.conversation import Conversation
from flows.outgoing import Button, Card, Outgoing, Text
from handoff.slots import TOKYO

# A Wednesday morning, inside every centre's staffed hours.
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=TOKYO)
CATALOGUE = load_catalogue()


def t(key: str, **values: Any) -> str:
    return CATALOGUE.text(key, **values)


@dataclass
class Clock:
    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Chat:
    """A resident scripted against the conversation: say things, tap buttons by label."""

    conversation: Conversation
    resident: str = "user:Utest0000000000000000000000000001"
    last: list[Outgoing] = field(default_factory=list)
    chosen: str = ""  # the language the resident types to be answered in, if any

    async def say(self, text: str) -> list[Outgoing]:
        self.last = await self.conversation.on_text(self.resident, text)
        return self.last

    def buttons(self) -> list[Button]:
        found: list[Button] = []
        for message in self.last:
            found += list(message.quick_replies)
            if isinstance(message, Card):
                found += list(message.buttons)
        return found

    def button(self, label: str) -> Button:
        for button in self.buttons():
            if button.label == label:
                return button
        raise AssertionError(f"no button {label!r} in {[b.label for b in self.buttons()]}")

    async def tap(self, label: str, params: dict[str, Any] | None = None) -> list[Outgoing]:
        button = self.button(label)
        if button.data is None:
            return await self.say(button.text or button.label)
        self.last = await self.conversation.on_postback(self.resident, button.data, params)
        return self.last

    async def tap_first_slot(self) -> list[Outgoing]:
        slot = next(b for b in self.buttons() if b.data and b.data.startswith("a=slot"))
        self.last = await self.conversation.on_postback(self.resident, slot.data or "", None)
        return self.last

    async def pick_date(self, day: date) -> list[Outgoing]:
        picker = next(b for b in self.buttons() if b.pick == "date")
        self.last = await self.conversation.on_postback(self.resident, picker.data or "", {"date": day.isoformat()})
        return self.last

    def texts(self) -> str:
        parts = []
        for message in self.last:
            if isinstance(message, Text):
                parts.append(message.text)
            else:
                parts.append(message.title + "\n" + "\n".join(f"{k}: {v}" for k, v in message.rows))
        return "\n".join(parts)

    def card(self) -> Card:
        cards = [m for m in self.last if isinstance(m, Card)]
        assert cards, self.texts()
        return cards[-1]


# (first message, the resident's moves, the centre code that must take the case)
# A move is ("tap", label) or ("say", text).
SCRIPTS = {
    "debt": (
        "消費者金融の借金が返せません",
        [("tap", t("flows.common.who.self")), ("say", "返済が大変です"), ("say", "200万円くらい"),
         ("tap", t("flows.debt.income.working")), ("say", "小岩")],
        "kurashigoto",
    ),
    "family_8050": (
        "80代の母と50代の息子がずっと家にいて心配",
        [("tap", t("flows.family_8050.relation.parent")), ("say", "15年"), ("say", "葛西")],
        "nagomi",
    ),
    "double_care": (
        "母の介護と子育てで毎日くたくたです",
        # 母 in the message answers 介護している方 (pre-filled, skipped).
        [("tap", t("flows.double_care.care_cert.applying")),
         ("say", "3歳"), ("tap", t("flows.double_care.hardest.time")), ("tap", t("flows.common.skip"))],
        "nagomi",
    ),
    "hikikomori": (
        "息子が10年ひきこもっています",
        [("say", "32歳"), ("tap", t("flows.hikikomori.wish.listen"))],
        "hikikomori",
    ),
    "housing_refusal": (
        "アパートの入居を断られました",
        [("tap", t("flows.housing_refusal.situation.refused")), ("tap", t("flows.housing_refusal.household.alone")),
         ("tap", t("flows.housing_refusal.reason.guarantor")), ("tap", t("flows.housing_refusal.deadline.within_3m")),
         ("say", "船堀")],
        "nagomi",
    ),
    "general": (
        "ひとり暮らしで話し相手がいなくて、毎日さびしいです",
        [("tap", t("flows.general.topic.work")), ("say", "仕事が見つからなくて困っています"), ("say", "平井")],
        "nagomi",
    ),
}


async def answer(chat: Chat, moves: list[tuple[str, str]]) -> None:
    for kind, value in moves:
        if kind == "tap":
            await chat.tap(value)
        else:
            await chat.say(value)


async def to_summary(chat: Chat, flow: str) -> None:
    first, moves, _ = SCRIPTS[flow]
    await chat.say(first)
    await answer(chat, moves)
    assert t("consent.intro") in chat.texts(), chat.texts()
    await chat.tap(t("consent.agree"))


async def to_phone_question(chat: Chat) -> None:
    """A debt case with a slot chosen, at 「電話番号を教えてください」."""
    await to_summary(chat, "debt")
    await chat.tap(t("summary.send"))
    await chat.tap_first_slot()
    await chat.tap(t("contact.phone"))
    assert chat.texts() == t("contact.ask_phone")
