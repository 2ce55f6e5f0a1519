"""The staff inbox in real headless Chromium against the running bot: new cases appear
without a reload, a case is claimed, called and closed, a conversation is taken over,
other centres see nothing, resident text stays text, forms need their CSRF token."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest_asyncio

from flows.catalogue import load_catalogue
from tests.bot.inbox_support import PASSWORD, Inbox, api_login, running_inbox
from tests.support.browser import browser_marks  # noqa: E402
from tests.support.line import user_id

TIMEOUT_MS = 15_000

pytestmark = browser_marks()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def inbox() -> AsyncIterator[Inbox]:
    async with running_inbox() as running:
        await running.add_user("sato@ward.example", "staff", ["kurashigoto"], "佐藤")
        await running.add_user("suzuki@ward.example", "staff", ["kurashigoto"], "鈴木")
        await running.add_user("tanaka@ward.example", "staff", ["hikikomori"], "田中")
        yield running


@pytest_asyncio.fixture(loop_scope="module")
async def staff_page(browser: Any, inbox: Inbox) -> AsyncIterator[Any]:
    """A fresh browser context (its own cookies) signed in as 佐藤 of くらしごと相談室."""
    context = await browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), asyncio.ensure_future(d.dismiss())))
    page.dialogs = dialogs  # type: ignore[attr-defined]
    await login(page, inbox.url, "sato@ward.example")
    yield page
    await context.close()


async def login(page: Any, url: str, email: str) -> None:
    await page.goto(f"{url}/login")
    await page.fill("input[name=email]", email)
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{url}/inbox")


async def test_login_refuses_a_wrong_password(browser: Any, inbox: Inbox) -> None:
    context = await browser.new_context()
    page = await context.new_page()
    await page.goto(f"{inbox.url}/login")
    await page.fill("input[name=email]", "sato@ward.example")
    await page.fill("input[name=password]", "not-the-password")
    await page.click("button[type=submit]")
    await page.wait_for_url("**/login?error=wrong")
    assert "パスワードが違います" in await page.inner_text("main")
    cookies = await context.cookies()
    assert not [c for c in cookies if c["name"] == "tsunagu_staff"]
    await context.close()


async def test_a_new_case_arrives_live_and_is_claimed_called_and_closed(staff_page: Any, inbox: Inbox) -> None:
    page = staff_page
    before = int(await page.inner_text("[data-testid=count-badge]"))
    case = await inbox.add_case(["debt"])
    # No reload: the queue polls and the new case appears.
    row = page.locator(f"tr[data-case='{case.id}']")
    await row.wait_for()
    assert case.case_number in await row.inner_text()
    await page.wait_for_function(
        f"document.querySelector('[data-testid=count-badge]').textContent.trim() === '{before + 1}'"
    )
    await row.locator("a.caseno").click()
    await page.wait_for_url(f"**/inbox/cases/{case.id}")
    assert "家賃を3か月滞納しています。" in await page.inner_text("[data-testid=summary]")
    # Shown as staff read a number, and dialled from the page.
    assert "090-1234-5678" in await page.inner_text("[data-testid=phone]")
    assert await page.get_attribute("[data-testid=phone]", "href") == "tel:09012345678"

    await page.click("[data-testid=claim]")
    await page.wait_for_selector("[data-testid=case-status]:has-text('対応中')")
    await page.select_option("[data-testid=status-select]", "contacted")
    await page.fill("[data-testid=status-note]", "電話で話し、来週来所の予定。")
    await page.click("[data-testid=status-submit]")
    await page.wait_for_selector("[data-testid=case-status]:has-text('連絡済み')")
    assert await page.inner_text("[data-testid=callback-state]") == "折り返し：完了"
    await page.select_option("[data-testid=status-select]", "closed")
    await page.click("[data-testid=status-submit]")
    await page.wait_for_selector("[data-testid=case-status]:has-text('終了')")
    thread = await page.inner_text("[data-testid=thread]")
    assert "電話で話し、来週来所の予定。" in thread and "担当した" in thread

    # One status: the case's own, which the resident side reads too.
    assert await inbox.scalar("SELECT status FROM handoffs WHERE id = :i", i=case.id) == "closed"
    assert await inbox.scalar("SELECT closed_at IS NOT NULL FROM case_work WHERE handoff_id = :i", i=case.id)
    # The first contact became an anonymous event with a coarse elapsed bucket.
    assert await inbox.scalar(
        "SELECT count(*) FROM event_log WHERE outcome = 'contacted' AND step = 'within_4h'") == 1
    assert await inbox.scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'case_view' AND target = :t", t=f"case:{case.id}") >= 1


async def test_takeover_puts_resident_messages_in_the_case_and_silences_the_bot(
    staff_page: Any, inbox: Inbox
) -> None:
    page = staff_page
    resident = user_id()
    case = await inbox.add_case(["debt"], line_user=resident, phone=None)
    await page.goto(f"{inbox.url}/inbox/cases/{case.id}")
    await page.click("[data-testid=takeover]")
    await page.wait_for_selector("[data-testid=taken-over]")
    pushed = inbox.fake.texts_for(resident)
    assert len(pushed) == 1 and "担当者（人）" in pushed[0]

    hostile = '<script>alert("x")</script><img src=x onerror=alert("y")> 今日は電話に出られません'
    assert (await inbox.resident_says(resident, hostile)).status_code == 200
    # Shown live, as text, without a reload.
    await page.wait_for_selector("[data-testid=thread] .k-resident")
    body = await page.inner_text("[data-testid=thread] .k-resident .body")
    assert body == hostile
    assert await page.locator("[data-testid=thread] img").count() == 0
    assert await page.locator("[data-testid=thread] script").count() == 0
    await asyncio.sleep(0.5)
    assert page.dialogs == []  # type: ignore[attr-defined]
    # The bot did not answer (only the takeover notice went to the resident).
    assert inbox.fake.texts_for(resident) == pushed

    # The danger detector still runs and flags the case urgent; the resident gets the
    # emergency lines at once (and nothing else from the bot).
    await inbox.resident_says(resident, "もう死にたい")
    await page.wait_for_selector("[data-testid=thread] .k-danger")
    assert await inbox.scalar("SELECT urgency FROM handoffs WHERE id = :i", i=case.id) == "urgent"
    for _ in range(200):
        if len(inbox.fake.texts_for(resident)) > len(pushed):
            break
        await asyncio.sleep(0.05)
    (lines,) = inbox.fake.texts_for(resident)[len(pushed):]
    assert lines.startswith(load_catalogue().text("danger.guidance"))
    pushed = inbox.fake.texts_for(resident)

    # Staff reply goes out as a LINE push and is logged in the case.
    await page.fill("[data-testid=message-text]", "お電話できる時間を教えてください。")
    await page.click("[data-testid=message-send]")
    await page.wait_for_selector("[data-testid=thread] .k-staff_message")
    assert inbox.fake.texts_for(resident)[-1] == "お電話できる時間を教えてください。"

    # Handed back: the resident is told, and the bot answers again.
    await page.click("[data-testid=handback]")
    await page.wait_for_selector("[data-testid=takeover]")
    assert "ボット" in inbox.fake.texts_for(resident)[-1]
    count = len(inbox.fake.texts_for(resident))
    await inbox.resident_says(resident, "こんにちは")
    for _ in range(200):
        if len(inbox.fake.texts_for(resident)) > count:
            break
        await asyncio.sleep(0.05)
    assert len(inbox.fake.texts_for(resident)) > count


async def test_staff_of_another_centre_cannot_see_the_case(browser: Any, inbox: Inbox) -> None:
    case = await inbox.add_case(["debt"], summary="ほかの窓口には見せない相談")
    context = await browser.new_context()
    page = await context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    await login(page, inbox.url, "tanaka@ward.example")
    assert case.case_number not in await page.inner_text("main")
    response = await page.goto(f"{inbox.url}/inbox/cases/{case.id}")
    assert response.status == 404
    assert "ほかの窓口には見せない相談" not in await page.content()
    await context.close()

    async with httpx.AsyncClient(timeout=10) as http:
        csrf = await api_login(http, inbox.url, "tanaka@ward.example")
        listed = (await http.get(f"{inbox.url}/api/cases", params={"status": "all"})).json()
        assert case.id not in [c["id"] for c in listed]
        assert (await http.get(f"{inbox.url}/api/cases/{case.id}")).status_code == 404
        refused = await http.post(f"{inbox.url}/api/cases/{case.id}/status", json={"status": "closed"},
                                  headers={"X-CSRF-Token": csrf})
        assert refused.status_code == 404
    assert await inbox.scalar("SELECT status FROM handoffs WHERE id = :i", i=case.id) == "new"


async def test_a_referred_case_appears_at_the_receiving_centre(browser: Any, inbox: Inbox) -> None:
    case = await inbox.add_case(["debt"])
    async with httpx.AsyncClient(timeout=10) as http:
        csrf = await api_login(http, inbox.url, "sato@ward.example")
        moved = await http.post(f"{inbox.url}/api/cases/{case.id}/status",
                                json={"status": "referred", "refer_to": "hikikomori"}, headers={"X-CSRF-Token": csrf})
        assert moved.status_code == 200, moved.text
    context = await browser.new_context()
    page = await context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    await login(page, inbox.url, "tanaka@ward.example")
    await page.locator(f"tr[data-case='{case.id}']").wait_for()
    await context.close()


async def test_a_form_without_its_csrf_token_is_refused(staff_page: Any, inbox: Inbox) -> None:
    page = staff_page
    case = await inbox.add_case(["debt"])
    await page.goto(f"{inbox.url}/inbox/cases/{case.id}")
    await page.evaluate(
        "document.querySelectorAll('form input[name=csrf_token]').forEach(i => i.remove())")
    async with page.expect_response(f"**/inbox/cases/{case.id}/claim") as answer:
        await page.click("[data-testid=claim]")
    assert (await answer.value).status == 403
    assert await inbox.scalar("SELECT claimed_by FROM case_work WHERE handoff_id = :i", i=case.id) is None


async def test_api_answers_bad_input_with_clear_4xx(inbox: Inbox) -> None:
    await inbox.add_user("boss@ward.example", "supervisor", ["kurashigoto"], "統括")
    async with httpx.AsyncClient(timeout=10) as http:
        assert (await http.get(f"{inbox.url}/api/cases")).status_code == 401
        bad = await http.post(f"{inbox.url}/api/login", json={"email": "boss@ward.example", "password": "nope"})
        assert bad.status_code == 401
        csrf = await api_login(http, inbox.url, "boss@ward.example")
        assert (await http.get(f"{inbox.url}/api/cases/abc")).status_code == 422
        assert (await http.get(f"{inbox.url}/api/cases/99999999999")).status_code == 422
        assert (await http.get(f"{inbox.url}/api/cases", params={"status": "nonsense"})).status_code == 400
        assert (await http.get(f"{inbox.url}/api/stats", params={"from": "2020-01-01", "to": "2026-01-01"})).status_code == 400
        assert (await http.get(f"{inbox.url}/api/stats", params={"from": "not-a-date"})).status_code == 422
        assert (await http.post(f"{inbox.url}/api/cases/1/status", json={"status": "closed"})).status_code == 403
        assert (await http.post(f"{inbox.url}/api/cases/1/status", json={"nope": 1},
                                headers={"X-CSRF-Token": csrf})).status_code == 422
        stats = await http.get(f"{inbox.url}/api/stats")
        assert stats.status_code == 200 and stats.json()["tables"]
        export = await http.get(f"{inbox.url}/stats/export.csv")
        assert export.status_code == 200 and export.text.startswith("table,row,column,value")
        assert (await http.get(f"{inbox.url}/openapi.json")).status_code == 404  # admins only (test_surfaces)
    assert await inbox.scalar("SELECT count(*) FROM audit_log WHERE action = 'stats_export'") == 1


async def test_a_cancelled_callback_reads_as_cancelled_not_as_call_now(staff_page: Any, inbox: Inbox) -> None:
    case = await inbox.add_case(["debt"])
    async with inbox.engine.begin() as connection:  # as HandoffDesk.cancel_callback leaves it
        from sqlalchemy import text

        await connection.execute(text("UPDATE handoffs SET callback_cancelled_at = now() WHERE id = :i"), {"i": case.id})
    await staff_page.goto(f"{inbox.url}/inbox")
    row = staff_page.locator(f"tr[data-case='{case.id}']")
    await row.wait_for()
    assert "住民が取消" in await row.inner_text()
    assert "できるだけ早く" not in await row.inner_text()
    await staff_page.goto(f"{inbox.url}/inbox/cases/{case.id}")
    callback = await staff_page.get_by_test_id("callback").inner_text()
    assert "取り消し" in callback and "こちらからは連絡せず" in callback
