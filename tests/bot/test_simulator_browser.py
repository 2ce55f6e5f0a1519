"""The LINE simulator page (/dev/chat): off outside dev mode, real signed events, and a
headless Chromium chatting with the real bot as a resident would."""

from __future__ import annotations

import asyncio
import copy
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis.asyncio as redis

from bot.app import create_app
from bot.dev.line_api import Delivery, FakeLineApi
from bot.dev.simulator import SendRequest, build_event, sign, webhook_event_id
from bot.render import render
from flows.outgoing import Button, Card, Text
from handoff.db import make_sync_engine
from handoff.models import Base
from tests.conftest import make_settings
from tests.support.browser import CHROMIUM, chromium_available, launch
from tests.support.line import SECRET, user_id
from tests.support.servers import free_port, serve

TIMEOUT_MS = 15_000
PICKERS = (
    Button("日付を選ぶ", data="day=pick", pick="date", initial="2030-04-01"),
    Button("時刻を選ぶ", data="time=pick", pick="time"),
    Button("日時を選ぶ", data="when=pick", pick="datetime", initial="2030-04-01t09:30"),
)

needs_chromium = pytest.mark.skipif(
    not chromium_available(),
    reason=f"{CHROMIUM} is missing (apt-get install -y chromium); the simulator is not tested",
)


@dataclass
class Simulated:
    url: str
    fake: FakeLineApi
    accepted: list[dict[str, Any]] = field(default_factory=list)

    def sent_to(self, user: str) -> list[dict[str, Any]]:
        """Every message the bot sent to ``user`` through the local Messaging API."""
        return [m for d in self.fake.messages_for(user) for m in d.messages]

    def deliver(self, user: str, *messages: Any) -> None:
        """Test-only: put messages in the mailbox as if the bot had pushed them."""
        raw = [m if isinstance(m, dict) else render(m).to_dict() for m in messages]
        self.fake._record(Delivery(next(self.fake._seq), "push", user, raw))

    async def stored_events(self) -> list[dict[str, Any]]:
        """The webhook events /callback verified and accepted, in order."""
        return list(self.accepted)

    async def events_when(
        self, condition: Callable[[list[dict[str, Any]]], bool], within_s: float = 10.0
    ) -> list[dict[str, Any]]:
        """Wait until ``condition`` holds for the accepted events."""
        deadline = time.monotonic() + within_s
        while True:
            events = list(self.accepted)
            if events and condition(events):
                return events
            if time.monotonic() > deadline:
                raise AssertionError(f"no such events within {within_s}s: {events}")
            await asyncio.sleep(0.05)


@pytest.fixture
async def sim(redis_client: redis.Redis, tmp_path: Path) -> AsyncIterator[Simulated]:
    # The database of embedded defaults (what `make run` serves the simulator with).
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'tsunagu.db'}"
    schema = make_sync_engine(database_url)
    Base.metadata.create_all(schema)
    schema.dispose()
    # In dev mode the bot's Messaging API is its own /dev/line-api, derived from
    # host and port: the port in the settings must be the one it is served on.
    port = free_port()
    app = create_app(make_settings(dev_mode=True, port=port, database_url=database_url))
    async with serve(app, port) as url:
        sim = Simulated(url=url, fake=app.state.fake_line)
        # Spy on what /callback accepted (after checking the signature); the event
        # stream itself is trimmed once events are handled.
        intake = app.state.intake
        accept = intake.accept

        async def recording_accept(events: list[dict[str, Any]]) -> Any:
            sim.accepted.extend(copy.deepcopy(events))
            return await accept(events)

        intake.accept = recording_accept
        yield sim


# -- without a browser ----------------------------------------------------------------
async def test_simulator_is_not_served_outside_dev_mode():
    app = create_app(make_settings())
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bot") as client:
        for path in ("/dev/chat", "/dev/chat/static/chat.js", "/dev/chat/api/messages"):
            assert (await client.get(path)).status_code == 404
        assert (await client.post("/dev/chat/api/send", json={})).status_code == 404


def test_events_are_shaped_like_lines():
    user = user_id()
    picked = build_event(
        SendRequest(user_id=user, kind="postback", data="day=pick", params={"date": "2017-12-25"}),
        "token",
    )
    assert picked["type"] == "postback"
    assert picked["postback"] == {"data": "day=pick", "params": {"date": "2017-12-25"}}
    assert picked["mode"] == "active"
    assert picked["source"] == {"type": "user", "userId": user}
    assert picked["deliveryContext"] == {"isRedelivery": False}
    assert picked["replyToken"] == "token"
    assert len(picked["webhookEventId"]) == 26 and webhook_event_id() != picked["webhookEventId"]
    sticker = build_event(SendRequest(user_id=user, kind="sticker"), "t")["message"]
    assert sticker["type"] == "sticker" and sticker["stickerResourceType"] == "STATIC"
    follow = build_event(SendRequest(user_id=user, kind="follow"), "t")
    assert follow["type"] == "follow" and follow["follow"] == {"isUnblocked": False}
    # Same algorithm as LINE (and as the tests' own signer).
    from tests.support.line import sign as reference_sign

    assert sign(b'{"events":[]}', SECRET) == reference_sign(b'{"events":[]}')


async def test_send_goes_through_the_signed_webhook_and_the_answer_comes_back(sim):
    user = user_id()
    async with httpx.AsyncClient(base_url=sim.url, timeout=30) as client:
        sent = await client.post(
            "/dev/chat/api/send", json={"user_id": user, "kind": "text", "text": "こんにちは"}
        )
        assert sent.status_code == 200, sent.text
        deliveries: list[dict[str, Any]] = []
        loading = 0
        deadline = time.monotonic() + 15
        while not deliveries and time.monotonic() < deadline:
            # Answers early when the bot starts its loading animation, then with the reply.
            answer = await client.get(
                "/dev/chat/api/messages", params={"user_id": user, "loading": loading}
            )
            assert answer.status_code == 200
            deliveries, loading = answer.json()["deliveries"], answer.json()["loading"]
        assert deliveries and deliveries[0]["kind"] == "reply"  # the issued token was used
        assert deliveries[0]["messages"] == sim.fake.messages_for(user)[0].messages
        bad = await client.post("/dev/chat/api/send", json={"user_id": "nobody", "kind": "text"})
        assert bad.status_code == 422
    stored = await sim.stored_events()
    assert stored[0]["message"]["text"] == "こんにちは"


# -- in Chromium ---------------------------------------------------------------------------
@pytest.fixture
async def page(sim: Simulated) -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    errors: list[str] = []
    async with async_playwright() as p:
        # launch() gives a fresh temporary profile; Playwright passes its own headless flag.
        browser = await launch(p)
        context = await browser.new_context(viewport={"width": 420, "height": 800}, locale="ja-JP")
        page = await context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.set_default_timeout(TIMEOUT_MS)
        await page.goto(f"{sim.url}/dev/chat")
        yield page
        await browser.close()
    assert errors == [], f"errors on the page: {errors}"


def bot_rows(page: Any) -> Any:
    return page.locator("#chat .row.bot:not(.typing)")


def my_rows(page: Any) -> Any:
    return page.locator("#chat .row.me")


async def current_user(page: Any) -> str:
    return str(await page.evaluate("document.body.dataset.userId"))


async def bot_answers(page: Any, sim: Simulated, user: str, before: int) -> list[dict[str, Any]]:
    """Wait until the bot has sent ``user`` more than ``before`` messages and the page shows
    every one of them (one row each, texts as sent); returns the new messages.

    Flow-agnostic on purpose: whatever the conversation answers, the page must show it.
    """
    from playwright.async_api import expect

    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while True:
        sent = sim.sent_to(user)
        shown = await bot_rows(page).count()
        if len(sent) > before and shown == len(sent):
            break
        if time.monotonic() > deadline:
            raise AssertionError(
                f"page shows {shown} of {len(sent)} bot messages (wanted > {before})"
            )
        await asyncio.sleep(0.05)
    for index in range(before, len(sent)):
        message = sent[index]
        row = bot_rows(page).nth(index)
        if message["type"] == "text":
            for line in filter(None, message["text"].splitlines()):
                await expect(row).to_contain_text(line.strip())
        elif message["type"] == "flex":
            await expect(row.locator(".fx-bubble")).to_have_count(1)
    quick = (sent[-1].get("quickReply") or {}).get("items") or []
    await expect(page.locator("#quick-replies .pill")).to_have_count(len(quick))
    return sent[before:]


async def settled(page: Any, sim: Simulated, user: str, quiet_s: float = 0.6) -> None:
    """Wait until the bot has stopped sending and the page shows all it sent, so a
    test-injected message is not overtaken by a late answer."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    count, since = -1, time.monotonic()
    while time.monotonic() < deadline:
        sent = len(sim.sent_to(user))
        if sent != count:
            count, since = sent, time.monotonic()
        elif time.monotonic() - since >= quiet_s and await bot_rows(page).count() == sent:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the bot did not settle")


@pytest.mark.browser
@needs_chromium
async def test_a_resident_is_welcomed_and_answered(page, sim):
    from playwright.async_api import expect

    await expect(page.locator(".topbar .title")).to_have_text("つなぐ（開発用シミュレーター）")
    # Opening the page is adding the account as a friend: the welcome comes back.
    user = await current_user(page)
    welcome = await bot_answers(page, sim, user, 0)
    assert [e["type"] for e in await sim.stored_events()] == ["follow"]
    assert sim.fake.messages_for(user)[0].kind == "reply"
    assert welcome[0]["type"] == "text"
    before = len(sim.sent_to(user))

    # IME: Enter while composing must not send.
    await page.fill("#input", "かぞく")
    await page.dispatch_event("#input", "keydown", {"key": "Enter", "isComposing": True})
    await page.wait_for_timeout(300)
    assert await my_rows(page).count() == 0

    await page.fill("#input", "家賃が払えません")
    await page.press("#input", "Enter")
    await expect(my_rows(page).last).to_contain_text("家賃が払えません")
    await bot_answers(page, sim, user, before)
    await expect(my_rows(page).last.locator(".read")).to_have_text("既読")
    assert await page.input_value("#input") == ""
    texts = [e for e in await sim.stored_events() if e["type"] == "message"]
    assert texts[0]["message"]["text"] == "家賃が払えません"
    assert texts[0]["source"] == {"type": "user", "userId": user}

    # A sticker is sent as a sticker message event, and answered.
    before = len(sim.sent_to(user))
    await page.click("#plus")
    await page.click("[data-send=sticker]")
    await expect(my_rows(page).last.locator(".sticker")).to_be_visible()
    await bot_answers(page, sim, user, before)
    events = await sim.events_when(lambda events: events[-1]["type"] == "message")
    assert events[-1]["message"]["type"] == "sticker"


@pytest.mark.browser
@needs_chromium
async def test_buttons_send_what_line_would(page, sim):
    from playwright.async_api import expect

    user = await current_user(page)
    await bot_answers(page, sim, user, 0)
    quick = page.locator("#quick-replies .pill")

    # Test-only: quick replies placed in the mailbox as if the bot had sent them.
    await settled(page, sim, user)
    sim.deliver(
        user,
        Text(
            "どれにしますか",
            quick_replies=(
                Button("お金のこと", text="お金のことで困っています"),
                Button("家族のこと", data="topic=family", display_text="家族のことです"),
                *PICKERS,
            ),
        ),
    )
    await expect(quick).to_have_count(5)
    await expect(quick.first).to_have_text("お金のこと")

    # A message action sends its text as a text message; the row disappears.
    before = len(sim.sent_to(user))
    await quick.first.click()
    await expect(my_rows(page).last).to_contain_text("お金のことで困っています")
    events = await sim.events_when(lambda events: events[-1]["type"] == "message")
    assert events[-1]["message"]["text"] == "お金のことで困っています"
    await bot_answers(page, sim, user, before)

    # A postback sends its data; its displayText shows as the resident's bubble.
    again = Button("家族", data="topic=family", display_text="家族のことです")
    await settled(page, sim, user)
    sim.deliver(user, Text("もう一度", quick_replies=(again,)))
    await expect(quick).to_have_count(1)
    await quick.first.click()
    await expect(my_rows(page).last).to_contain_text("家族のことです")
    # Tapping takes the row away (whatever the bot answers next brings its own).
    await expect(quick.get_by_text("家族", exact=True)).to_have_count(0)
    events = await sim.events_when(lambda events: events[-1]["type"] == "postback")
    assert events[-1]["postback"] == {"data": "topic=family"}

    # Date, time and datetime pickers open native inputs and send params in LINE's formats.
    picks = {
        "日付を選ぶ": ("date", "2030-04-02", {"date": "2030-04-02"}),
        "時刻を選ぶ": ("time", "01:00", {"time": "01:00"}),
        "日時を選ぶ": ("datetime-local", "2030-04-01T09:30", {"datetime": "2030-04-01T09:30"}),
    }
    for label, (input_type, value, params) in picks.items():
        await settled(page, sim, user)
        sim.deliver(user, Text("選んでください", quick_replies=PICKERS))
        await expect(quick).to_have_count(3)
        before = len(await sim.stored_events())
        await quick.filter(has_text=label).click()
        picker = page.locator("#picker-input")
        await expect(picker).to_be_visible()
        assert await picker.get_attribute("type") == input_type
        if label == "日時を選ぶ":  # starts at the action's initial (LINE writes "t")
            assert await picker.input_value() == value
        else:
            await picker.fill(value)
        await page.click("#picker-ok")
        events = await sim.events_when(lambda events, before=before: len(events) > before)
        assert events[-1]["type"] == "postback"
        assert events[-1]["postback"]["params"] == params
        await expect(page.locator("#chat .sim-note").last).to_contain_text(value)


@pytest.mark.browser
@needs_chromium
async def test_cards_render_and_their_buttons_work_and_text_is_never_html(page, sim):
    from playwright.async_api import expect

    user = await current_user(page)
    await bot_answers(page, sim, user, 0)
    await settled(page, sim, user)
    sim.deliver(
        user,
        Card(
            alt_text="確認",
            title="ご相談の内容",
            rows=(("困りごと", "家賃の支払い"),),
            note="<b>よければ</b>押してください",
            buttons=(
                Button("この内容で進む", data="confirm=yes", display_text="この内容で進みます"),
                Button("書き直す", text="書き直す"),
            ),
        ),
        {"type": "text", "text": "<img src=x onerror=\"document.title='owned'\">"},
    )
    card = page.locator(".fx-bubble").last
    await expect(card.locator(".fx-text").first).to_have_text("ご相談の内容")
    await expect(card.locator(".fx-separator")).to_have_count(1)
    await expect(card).to_contain_text("家賃の支払い")
    await expect(card).to_contain_text("<b>よければ</b>押してください")
    await expect(card.locator(".fx-button.primary")).to_have_text("この内容で進む")
    await expect(card.locator(".fx-button.secondary")).to_have_text("書き直す")
    await expect(bot_rows(page).last).to_contain_text("<img src=x")
    assert await page.locator("#chat img, #chat b").count() == 0
    assert await page.title() != "owned"

    await card.locator(".fx-button.primary").click()
    await expect(my_rows(page).last).to_contain_text("この内容で進みます")
    events = await sim.events_when(lambda events: events[-1]["type"] == "postback")
    assert events[-1]["postback"]["data"] == "confirm=yes"

    # Template messages (here a confirm) are drawn too, and their actions work.
    await settled(page, sim, user)
    sim.deliver(
        user,
        {
            "type": "template",
            "altText": "確認",
            "template": {
                "type": "confirm",
                "text": "相談員から電話してもいいですか",
                "actions": [
                    {"type": "message", "label": "はい", "text": "はい"},
                    {"type": "message", "label": "いいえ", "text": "いいえ"},
                ],
            },
        },
    )
    confirm = page.locator(".tpl-card.confirm").last
    await expect(confirm).to_contain_text("相談員から電話してもいいですか")
    await confirm.locator(".tpl-action", has_text="いいえ").click()
    await expect(my_rows(page).last.locator(".bubble")).to_have_text("いいえ")
    events = await sim.events_when(lambda events: events[-1]["type"] == "message")
    assert events[-1]["message"]["text"] == "いいえ"


@pytest.mark.browser
@needs_chromium
async def test_only_https_images_are_drawn_and_never_send_a_referer(page, sim):
    from playwright.async_api import expect

    user = await current_user(page)
    await bot_answers(page, sim, user, 0)
    await settled(page, sim, user)
    good, bad = "https://img.example/a.png", "http://img.example/b.png"
    sim.deliver(
        user,
        {"type": "image", "originalContentUrl": good, "previewImageUrl": good},
        {"type": "image", "originalContentUrl": bad, "previewImageUrl": bad},
        {"type": "template", "altText": "写真", "template": {"type": "image_carousel", "columns": [
            {"imageUrl": good, "action": {"type": "message", "label": "A", "text": "A"}},
            {"imageUrl": bad, "action": {"type": "message", "label": "B", "text": "B"}},
        ]}},
        {"type": "flex", "altText": "画像", "contents": {"type": "bubble", "hero": {"type": "image", "url": good}},
         "quickReply": {"items": [
             {"type": "action", "imageUrl": good, "action": {"type": "message", "label": "はい", "text": "はい"}},
             {"type": "action", "imageUrl": bad, "action": {"type": "message", "label": "いいえ", "text": "いいえ"}},
         ]}},
    )
    await expect(page.locator("#quick-replies img")).to_have_count(1)
    images = await page.eval_on_selector_all(
        "#chat img, #quick-replies img", "els => els.map(e => [e.getAttribute('src'), e.referrerPolicy])"
    )
    # One image message, one carousel column, the flex hero and one quick-reply icon: the
    # http ones are drawn as placeholders, not fetched.
    assert images == [[good, "no-referrer"]] * 4


@pytest.mark.browser
@needs_chromium
async def test_reset_starts_a_new_resident_and_reload_keeps_the_talk(page, sim):
    from playwright.async_api import expect

    first = await current_user(page)
    await bot_answers(page, sim, first, 0)
    before = len(sim.sent_to(first))
    await page.fill("#input", "こんにちは")
    await page.press("#input", "Enter")
    await bot_answers(page, sim, first, before)
    shown = await bot_rows(page).count()

    await page.reload()
    assert await current_user(page) == first
    await expect(my_rows(page)).to_have_count(1)
    await expect(bot_rows(page)).to_have_count(shown)

    await page.click("#reset")
    await expect(my_rows(page)).to_have_count(0)
    second = await current_user(page)
    assert second != first
    await bot_answers(page, sim, second, 0)
    follows = [e["source"]["userId"] for e in await sim.stored_events() if e["type"] == "follow"]
    assert follows == [first, second]


@pytest.mark.browser
@needs_chromium
@pytest.mark.parametrize("flow", ["debt", "family_8050", "double_care", "hikikomori", "housing_refusal", "general"])
async def test_a_person_completes_every_flow_by_tapping_and_typing(page, sim, tmp_path, flow):
    """The simulator is a real place to try the service: each flow, first message to a
    confirmed case number, only through what the page shows."""
    from playwright.async_api import expect
    from sqlalchemy import select

    from handoff.models import Handoff
    from tests.support.conversation import SCRIPTS, t

    user = await current_user(page)
    await bot_answers(page, sim, user, 0)

    async def step(action: Callable[[], Any]) -> None:
        await settled(page, sim, user)
        before = len(sim.sent_to(user))
        await action()
        await bot_answers(page, sim, user, before)

    def say(text: str) -> Callable[[], Any]:
        async def action() -> None:
            await page.fill("#input", text)
            await page.press("#input", "Enter")

        return action

    def tap(label: str) -> Callable[[], Any]:
        async def action() -> None:
            button = page.get_by_role("button", name=label, exact=True).last
            await expect(button).to_be_visible()
            await button.click()

        return action

    async def tap_first_slot() -> None:
        await page.locator("#quick-replies .pill").first.click()

    first, moves, _centre = SCRIPTS[flow]
    await step(say(first))
    for kind, value in moves:
        await step(tap(value) if kind == "tap" else say(value))
    await step(tap(t("consent.agree")))
    await expect(page.locator("#chat .fx-bubble").last).to_be_visible()
    await step(tap(t("summary.send")))
    await step(tap_first_slot)
    await step(tap(t("contact.line")))

    engine = make_sync_engine(f"sqlite:///{tmp_path / 'tsunagu.db'}")
    with engine.connect() as connection:
        case_number = connection.execute(select(Handoff.case_number)).scalar_one()
    engine.dispose()
    # The confirmation (centre, time, case number) is on the page.
    await expect(bot_rows(page).filter(has_text=case_number)).to_have_count(1)


@pytest.mark.browser
@needs_chromium
async def test_an_english_resident_is_answered_in_english_to_a_booked_callback(page, sim, tmp_path):
    """Issue 10: a resident who writes in English reads English from the first answer to the
    confirmed case, through the real webhook, worker and page; the centre's name included."""
    import re

    from playwright.async_api import expect
    from sqlalchemy import select

    from flows.catalogue import load_catalogue
    from handoff.directory import load_directory
    from handoff.models import Handoff

    en = load_catalogue("en")
    user = await current_user(page)
    welcome = len(await bot_answers(page, sim, user, 0))  # on follow, before a word: Japanese

    async def step(action: Callable[[], Any]) -> None:
        await settled(page, sim, user)
        before = len(sim.sent_to(user))
        await action()
        await bot_answers(page, sim, user, before)

    async def say() -> None:
        await page.fill("#input", "I cannot repay my loans from a consumer finance company")
        await page.press("#input", "Enter")

    def tap(key: str) -> Callable[[], Any]:
        async def action() -> None:
            button = page.get_by_role("button", name=en.text(key), exact=True).last
            await expect(button).to_be_visible()
            await button.click()

        return action

    async def tap_first_slot() -> None:
        await page.locator("#quick-replies .pill").first.click()

    await step(say)
    await expect(bot_rows(page).nth(welcome)).to_contain_text(en.text("flows.debt.ack").splitlines()[0])
    for key in ("flows.common.who.self", "flows.debt.trouble.repay", "flows.debt.amount.under_50",
                "flows.debt.income.working", "flows.common.skip", "consent.agree"):
        await step(tap(key))
    await expect(page.locator("#chat .fx-bubble").last).to_contain_text(en.text("summary.title"))
    await step(tap("summary.send"))
    await step(tap_first_slot)
    await step(tap("contact.line"))

    engine = make_sync_engine(f"sqlite:///{tmp_path / 'tsunagu.db'}")
    with engine.connect() as connection:
        case_number, language = connection.execute(select(Handoff.case_number, Handoff.language)).one()
    engine.dispose()
    assert language == "en"
    confirmation = bot_rows(page).filter(has_text=case_number)
    await expect(confirmation).to_have_count(1)
    await expect(confirmation).to_contain_text("We passed your consultation to the desk.")
    # Everything sent after the first message, buttons and the centre's name included, is English.
    shown = str(sim.sent_to(user)[welcome:])
    assert load_directory("edogawa").centre("kurashigoto").name_in("en") in shown
    assert re.findall(r"[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]", shown) == []
