"""What staff send on LINE goes through the outbox: a takeover while LINE fails keeps the case
and the bot's silence consistent, staff see a plain message (never a 500), the notice goes
once LINE is back, each action has its own retry key, and the case shows delivery."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from urllib.parse import unquote

import httpx
import pytest
from sqlalchemy import select

from bot.dev.line_api import Fault
from bot.services import staff_labels
from bot.staff.text import StaffText
from flows.catalogue import load_catalogue
from flows.notices import load_emergency
from handoff.staff_models import CaseEntry
from handoff.takeover import PREFIX as TAKEOVER_PREFIX
from settings import DATA_DIR
from tests.bot.inbox_support import Inbox, api_login, running_inbox
from tests.support.line import text_event, user_id, webhook_body, webhook_headers
from tests.support.waiting import wait_until

LABELS = staff_labels()
WORDS = StaffText.load(DATA_DIR / "staff")


@pytest.fixture
async def inbox(fake_line, clean_database) -> AsyncIterator[Inbox]:
    async with running_inbox(delivery_backoff_base_s=0.1, delivery_backoff_cap_s=0.5) as running:
        await running.add_user("sato@ward.example", "staff", ["kurashigoto"], "佐藤")
        yield running


async def _entries(inbox: Inbox, case_id: int, kind: str) -> list[CaseEntry]:
    async with inbox.sessions() as session:
        return list((await session.scalars(
            select(CaseEntry).where(CaseEntry.handoff_id == case_id, CaseEntry.kind == kind).order_by(CaseEntry.id)
        )).all())


async def _act(http: httpx.AsyncClient, inbox: Inbox, csrf: str, case_id: int, action: str, **form: str) -> str:
    """POST a case form as the page does; the page it redirects to (never a 500), as shown."""
    response = await http.post(f"{inbox.url}/inbox/cases/{case_id}/{action}", data=form,
                               headers={"X-CSRF-Token": csrf})
    assert response.status_code == 303, response.text
    shown = await http.get(f"{inbox.url}{unquote(response.headers['location'])}")
    assert shown.status_code == 200
    return shown.text


async def test_a_takeover_while_line_fails_is_consistent_and_the_notice_goes_later(inbox: Inbox):
    resident = user_id()
    case = await inbox.add_case(["debt"], line_user=resident, phone=None)
    inbox.fake.inject("push", *[Fault(status=500) for _ in range(3)])
    async with httpx.AsyncClient(timeout=20) as http:
        csrf = await api_login(http, inbox.url, "sato@ward.example")
        page = await _act(http, inbox, csrf, case.id, "takeover")
    assert WORDS.error("delivery_retrying") in page  # 「…LINEに送れませんでした。自動で再送します。」
    # The database and the bot's silence agree at once; the notice is on its way.
    (entry,) = await _entries(inbox, case.id, "takeover")
    assert entry.meta["delivery"] == "pending"
    assert case.line_user_hash is not None
    assert await inbox.redis.exists(TAKEOVER_PREFIX + case.line_user_hash)
    await inbox.resident_says(resident, "こんにちは")  # the bot stays quiet: a person has it
    await wait_until(lambda: len(inbox.fake.texts_for(resident)) == 1, timeout=20)
    await asyncio.sleep(0.5)
    (notice,) = inbox.fake.texts_for(resident)
    assert "担当者（人）" in notice
    for _ in range(100):  # the receipt reaches the case history
        (entry,) = await _entries(inbox, case.id, "takeover")
        if entry.meta["delivery"] == "delivered":
            break
        await asyncio.sleep(0.1)
    assert entry.meta["delivery"] == "delivered"


async def test_a_staff_message_while_redis_is_away_is_kept_and_sent_by_the_reconciler(inbox: Inbox):
    """The entry committed; the enqueue could not happen (Redis away in that moment): the
    reconciler finds the pending entry and sends it, once."""
    resident = user_id()
    case = await inbox.add_case(["debt"], line_user=resident, phone=None)
    async with httpx.AsyncClient(timeout=20) as http:
        csrf = await api_login(http, inbox.url, "sato@ward.example")
        await _act(http, inbox, csrf, case.id, "message", text="お電話できる時間を教えてください。")
    assert inbox.fake.texts_for(resident) == ["お電話できる時間を教えてください。"]
    # Now one whose enqueue is lost: commit the entry as the page does, skip the Redis step.
    from handoff import inbox as staff_inbox
    from handoff.auth import Principal
    from handoff.staff_models import StaffUser

    async with inbox.sessions() as session, session.begin():
        user = await session.scalar(select(StaffUser).where(StaffUser.email == "sato@ward.example"))
        assert user is not None
        await staff_inbox.send_message(session, Principal.of(user), case.id, "二通目です。")
    maintenance = inbox.services.maintenance
    assert await maintenance.reconcile() == 0  # too young: it may still be on its way
    assert await maintenance.reconcile(older_than_s=0) == 1
    await wait_until(lambda: len(inbox.fake.texts_for(resident)) == 2, timeout=10)
    assert await maintenance.reconcile(older_than_s=0) == 0  # known to the outbox now: never twice
    await asyncio.sleep(0.3)
    assert inbox.fake.texts_for(resident) == ["お電話できる時間を教えてください。", "二通目です。"]


async def test_each_takeover_and_handback_has_its_own_retry_key(inbox: Inbox):
    """LINE answers 409 to a reused key and delivers nothing: taking over the same case twice
    must not reuse the first takeover's key."""
    resident = user_id()
    case = await inbox.add_case(["debt"], line_user=resident, phone=None)
    async with httpx.AsyncClient(timeout=20) as http:
        csrf = await api_login(http, inbox.url, "sato@ward.example")
        for action in ("takeover", "handback", "takeover", "handback"):
            page = await _act(http, inbox, csrf, case.id, action)
            assert "error" not in page
    pushes = inbox.fake.messages_for(resident)
    assert len(pushes) == 4 and len({p.retry_key for p in pushes}) == 4
    assert ["担当者（人）" in p.messages[0]["text"] for p in pushes] == [True, False, True, False]
    assert inbox.fake.rejected == []
    for _ in range(100):
        entries = await _entries(inbox, case.id, "takeover") + await _entries(inbox, case.id, "handback")
        if all(e.meta["delivery"] == "delivered" for e in entries):
            break
        await asyncio.sleep(0.1)
    assert [e.meta["delivery"] for e in entries] == ["delivered"] * 4


async def test_takeover_and_handback_notices_are_in_the_cases_language(inbox: Inbox):
    from flows.catalogue import load_catalogue

    en = load_catalogue("en")
    resident = user_id()
    case = await inbox.add_case(["debt"], line_user=resident, phone=None, language="en")
    async with httpx.AsyncClient(timeout=20) as http:
        csrf = await api_login(http, inbox.url, "sato@ward.example")
        for action in ("takeover", "handback"):
            assert "error" not in await _act(http, inbox, csrf, case.id, action)
    await wait_until(lambda: len(inbox.fake.texts_for(resident)) == 2, timeout=10)
    assert inbox.fake.texts_for(resident) == [en.text("staff.takeover"), en.text("staff.handback")]


async def test_a_blocked_resident_shows_staff_the_message_failed(inbox: Inbox):
    resident = user_id()
    case = await inbox.add_case(["debt"], line_user=resident, phone=None)
    inbox.fake.inject("push", Fault(status=403, body={"message": "The user has blocked the account"}))
    async with httpx.AsyncClient(timeout=20) as http:
        csrf = await api_login(http, inbox.url, "sato@ward.example")
        page = await _act(http, inbox, csrf, case.id, "message", text="ご連絡ください。")
        assert WORDS.error("delivery_failed") in page
        for _ in range(100):
            (entry,) = await _entries(inbox, case.id, "staff_message")
            if entry.meta["delivery"] == "failed":
                break
            await asyncio.sleep(0.1)
        assert entry.meta["delivery"] == "failed"
        thread = (await http.get(f"{inbox.url}/inbox/cases/{case.id}/thread")).text
    assert LABELS["delivery"]["failed"] in thread


async def test_a_danger_message_during_a_takeover_sends_the_emergency_lines_once(inbox: Inbox):
    """Emergency lines never depend on someone watching the inbox: a danger message while a
    person owns the conversation flags the case and answers the resident with the lines,
    once, through the outbox (a failed reply is retried; LINE's redelivery adds nothing)."""
    resident = user_id()
    case = await inbox.add_case(["debt"], line_user=resident, phone=None)
    async with httpx.AsyncClient(timeout=20) as http:
        csrf = await api_login(http, inbox.url, "sato@ward.example")
        await _act(http, inbox, csrf, case.id, "takeover")
    await wait_until(lambda: len(inbox.fake.texts_for(resident)) == 1, timeout=20)  # the takeover notice
    await inbox.resident_says(resident, "こんにちは")  # an ordinary message: the bot stays quiet
    inbox.fake.inject("reply", Fault(status=500))
    event = text_event(resident, "もう死にたい", reply_token=inbox.fake.issue_reply_token(resident))
    body = webhook_body(event)
    async with httpx.AsyncClient(timeout=10) as http:
        for _ in range(2):  # LINE delivers the same event twice
            response = await http.post(f"{inbox.url}/callback", content=body, headers=webhook_headers(body))
            assert response.status_code == 200
    await wait_until(lambda: len(inbox.fake.texts_for(resident)) >= 2, timeout=20)
    await asyncio.sleep(1.0)
    notice, lines = inbox.fake.texts_for(resident)
    assert "担当者（人）" in notice
    catalogue = load_catalogue()
    emergency = load_emergency()
    assert lines.startswith(catalogue.text("danger.guidance"))
    assert all(line.number in lines for line in (*emergency.emergency, *emergency.lines))
    assert await inbox.scalar("SELECT urgency FROM handoffs WHERE id = :i", i=case.id) == "urgent"
    # The words went to the case thread once, as staff read them.
    assert [e.kind for e in await _entries(inbox, case.id, "danger")] == ["danger"]


async def test_a_takeover_notice_sent_by_the_reconciler_is_in_the_cases_language(inbox: Inbox):
    """The takeover committed, its enqueue lost: the notice is written again when the
    reconciler finds it (it is never stored as text), in the case's language, not Japanese."""
    from handoff import inbox as staff_inbox
    from handoff.auth import Principal
    from handoff.staff_models import StaffUser

    resident = user_id()
    case = await inbox.add_case(["debt"], line_user=resident, phone=None, language="en")
    async with inbox.sessions() as session, session.begin():
        user = await session.scalar(select(StaffUser).where(StaffUser.email == "sato@ward.example"))
        assert user is not None
        await staff_inbox.take_over(session, Principal.of(user), case.id, notice=lambda key, language: "")
    assert await inbox.services.maintenance.reconcile(older_than_s=0) == 1
    await wait_until(lambda: len(inbox.fake.texts_for(resident)) == 1, timeout=10)
    assert inbox.fake.texts_for(resident) == [load_catalogue("en").text("staff.takeover")]


@pytest.mark.parametrize(("language", "words"), [("en", "I want to die"), ("zh", "我不想活了")])
async def test_a_danger_message_during_a_takeover_is_answered_in_the_residents_language(
    inbox: Inbox, language: str, words: str,
):
    resident = user_id()
    case = await inbox.add_case(["debt"], line_user=resident, phone=None, language=language)
    async with httpx.AsyncClient(timeout=20) as http:
        csrf = await api_login(http, inbox.url, "sato@ward.example")
        await _act(http, inbox, csrf, case.id, "takeover")
    await wait_until(lambda: len(inbox.fake.texts_for(resident)) == 1, timeout=20)  # the takeover notice
    await inbox.resident_says(resident, words)
    await wait_until(lambda: len(inbox.fake.texts_for(resident)) == 2, timeout=20)
    notice, lines = inbox.fake.texts_for(resident)
    catalogue, emergency = load_catalogue(language), load_emergency(language)
    assert notice == catalogue.text("staff.takeover")
    assert lines.startswith(catalogue.text("danger.guidance")) and catalogue.language_of("danger.guidance") == language
    assert all(line.number in lines for line in (*emergency.emergency, *emergency.lines))
