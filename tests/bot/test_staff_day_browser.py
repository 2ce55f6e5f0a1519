"""A consultation desk's working day in real headless Chromium: keyboard only while cases
keep arriving, danger cases that say why, finding a case, today's callbacks, and axe-core
on every staff page at 100% and 200% zoom."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import pytest_asyncio

from handoff.slots import TOKYO
from handoff.staff_models import CaseWork
from settings import REPO_ROOT
from tests.bot.inbox_support import PASSWORD, Inbox, running_inbox
from tests.support.browser import browser_marks
from tests.support.line import user_id

TIMEOUT_MS = 15_000
AXE = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"

pytestmark = browser_marks()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def inbox() -> AsyncIterator[Inbox]:
    async with running_inbox() as running:
        await running.add_user("sato@ward.example", "staff", ["kurashigoto", "nagomi"], "佐藤")
        await running.add_user("boss@ward.example", "supervisor", ["kurashigoto"], "統括 山本")
        await running.add_user("admin@ward.example", "admin", [], "管理者")
        yield running


async def login(page: Any, url: str, email: str) -> None:
    await page.goto(f"{url}/login")
    await page.fill("input[name=email]", email)
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_load_state("load")


async def new_page(browser: Any, **context: Any) -> Any:
    ctx = await browser.new_context(locale="ja-JP", **context)
    page = await ctx.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    return page


async def focused_id(page: Any) -> str:
    return str(await page.evaluate("document.activeElement ? document.activeElement.id : ''"))


async def tab_to(page: Any, selector: str, limit: int = 120) -> None:
    """Press Tab, as a keyboard user does, until ``selector`` has the focus."""
    for _ in range(limit):
        await page.keyboard.press("Tab")
        if await page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
        await asyncio.sleep(0.05)  # a person's pace: the queue refreshes meanwhile
    raise AssertionError(f"Tab never reached {selector}")


async def test_keyboard_only_open_the_newest_case_claim_record_a_call_and_log_out_while_cases_arrive(
    browser: Any, inbox: Inbox
) -> None:
    for _ in range(3):
        await inbox.add_case(["debt"])
    newest = await inbox.add_case(["debt"], summary="キーボードで開く相談")
    page = await new_page(browser, viewport={"width": 1280, "height": 900})
    await page.goto(f"{inbox.url}/login")
    await tab_to(page, "#login-email")
    await page.keyboard.type("sato@ward.example")
    await page.keyboard.press("Tab")
    await page.keyboard.type(PASSWORD)
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"{inbox.url}/inbox")

    arriving = True

    async def keep_arriving() -> None:
        while arriving:
            await inbox.add_case(["debt"], urgent=False)
            await asyncio.sleep(0.7)

    arrivals = asyncio.create_task(keep_arriving())
    try:
        await tab_to(page, f"#link-{newest.id}")
        # Cases keep arriving for a few refreshes; the focus stays on the link.
        rows_before = await page.locator("#queue-rows tr").count()
        for _ in range(200):  # (page.wait_for_function would need 'unsafe-eval', which the CSP refuses)
            if await page.locator("#queue-rows tr").count() > rows_before:
                break
            await asyncio.sleep(0.05)
        assert await page.locator("#queue-rows tr").count() > rows_before
        await asyncio.sleep(3.5)
        assert await focused_id(page) == f"link-{newest.id}"
        await page.keyboard.press("Enter")
        await page.wait_for_url(f"**/inbox/cases/{newest.id}")
        await tab_to(page, "[data-testid=claim]")
        await page.keyboard.press("Enter")
        await page.wait_for_selector("[data-testid=flash-done]")
        assert await page.inner_text("[data-testid=case-status]") == "対応中"
        await tab_to(page, "[data-testid=kind-call]")
        assert await page.is_checked("[data-testid=kind-call]")
        await page.keyboard.press("Tab")
        await page.keyboard.type("本人と電話で話した。来週もう一度かける。")
        await tab_to(page, "[data-testid=note-submit]")
        await page.keyboard.press("Enter")
        await page.wait_for_selector("[data-testid=flash-done]:has-text('状態は変わっていません')")
        assert await page.inner_text("[data-testid=case-status]") == "対応中"
        thread = await page.inner_text("[data-testid=thread]")
        assert "電話記録" in thread and "本人と電話で話した。" in thread
        await page.keyboard.press("Home")
        await tab_to(page, "[data-testid=logout]")
        await page.keyboard.press("Enter")
        await page.wait_for_url("**/login**")
    finally:
        arriving = False
        await arrivals
    assert await inbox.scalar("SELECT status FROM handoffs WHERE id = :i", i=newest.id) == "claimed"
    assert await inbox.scalar("SELECT count(*) FROM case_entries WHERE handoff_id = :i AND kind = 'call'",
                              i=newest.id) == 1
    await page.context.close()


async def test_an_urgent_case_raised_by_a_danger_message_shows_its_reason_first(browser: Any, inbox: Inbox) -> None:
    resident = user_id()
    for words in ("もう死にたい", "はい", "はい", "090-2222-3333"):
        assert (await inbox.resident_says(resident, words)).status_code == 200
    for _ in range(300):
        case_id = await inbox.scalar("SELECT id FROM handoffs WHERE situations::text LIKE '%crisis%' "
                                     "ORDER BY id DESC LIMIT 1")
        if case_id:
            break
        await asyncio.sleep(0.05)
    assert case_id, "the urgent case was not created"
    page = await new_page(browser, viewport={"width": 1280, "height": 900})
    await login(page, inbox.url, "sato@ward.example")
    await page.goto(f"{inbox.url}/inbox/cases/{case_id}")
    reason = page.get_by_test_id("danger-reason")
    assert "死にたい気持ち" in await reason.get_by_test_id("danger-kinds").inner_text()
    assert await reason.get_by_test_id("danger-words").inner_text() == "もう死にたい"
    # First: before the summary, the answers and the actions.
    first_card = await page.evaluate("document.querySelector('main .card').dataset.testid")
    assert first_card == "danger-reason"
    await page.context.close()


async def test_search_by_case_number_and_case_number_urls(browser: Any, inbox: Inbox) -> None:
    case = await inbox.add_case(["debt"], summary="番号で探す相談")
    page = await new_page(browser, viewport={"width": 1280, "height": 900})
    await login(page, inbox.url, "sato@ward.example")
    await page.fill("[data-testid=find-number]", case.case_number.lower())
    await page.click("[data-testid=find-submit]")
    await page.wait_for_url(f"**/inbox/cases/{case.id}")
    assert "番号で探す相談" in await page.inner_text("[data-testid=summary]")
    # A part of the number lists the matches.
    await page.goto(f"{inbox.url}/inbox")
    await page.fill("[data-testid=find-number]", case.case_number[-4:])
    await page.click("[data-testid=find-submit]")
    await page.locator(f"tr[data-case='{case.id}']").wait_for()
    # The number in the address goes straight to the case.
    response = await page.goto(f"{inbox.url}/inbox/cases/{case.case_number}")
    assert response.status == 200 and page.url.endswith(f"/inbox/cases/{case.id}")
    missing = await page.goto(f"{inbox.url}/inbox/cases/E-0000-0000")
    assert missing.status == 404 and "見つからない" in await page.inner_text("main")
    await page.context.close()


async def test_todays_callbacks_list_exactly_todays(browser: Any, inbox: Inbox) -> None:
    now = datetime.now(TOKYO)
    today_noon = now.replace(hour=12, minute=0, second=0, microsecond=0)
    planned = {
        "yesterday": today_noon - timedelta(days=1),
        "today_early": now.replace(hour=0, minute=30, second=0, microsecond=0),
        "today_late": now.replace(hour=23, minute=30, second=0, microsecond=0),
        "tomorrow": today_noon + timedelta(days=1),
    }
    cases = {}
    for name, when in planned.items():
        cases[name] = await inbox.add_case(["debt"], summary=name)
        async with inbox.sessions() as session, session.begin():
            work = await session.get(CaseWork, cases[name].id)
            assert work is not None
            work.callback_at, work.respond_by = when.astimezone(UTC), None
    asap = await inbox.add_case(["debt"], summary="できるだけ早く")
    page = await new_page(browser, viewport={"width": 1280, "height": 900})
    await login(page, inbox.url, "sato@ward.example")
    await page.click("[data-testid=view-today]")
    await page.wait_for_url("**/inbox?view=today")
    listed = await page.eval_on_selector_all("#queue-rows tr", "rows => rows.map(r => Number(r.dataset.case))")
    assert listed == [cases["today_early"].id, cases["today_late"].id]
    assert asap.id not in listed
    assert await page.title() == "今日の折り返し — つなぐ"
    await page.context.close()


async def _axe(page: Any) -> list[dict[str, Any]]:
    await page.add_script_tag(path=str(AXE))
    return list(await page.evaluate(
        """async () => {
            const result = await axe.run(document);
            return result.violations.map(v => ({id: v.id, impact: v.impact,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
        }"""
    ))


@pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed (scripts/ensure-system-packages.sh)")
@pytest.mark.parametrize("zoom", [1, 2])
async def test_axe_finds_no_violation_on_any_staff_page(browser: Any, inbox: Inbox, zoom: int) -> None:
    """200% zoom is the same page laid out in half the CSS width at twice the pixel density."""
    urgent = await inbox.add_case(["debt"], urgent=True, summary="至急の相談")
    await inbox.resident_says(user_id(), "こんにちは")
    viewport = {"width": 1280 // zoom, "height": 900 // zoom}
    pages = {
        "sato@ward.example": ["/inbox", "/inbox?view=today", "/inbox?view=mine", f"/inbox/cases/{urgent.id}",
                              "/inbox/cases/99999", "/account/password", "/stats"],
        "boss@ward.example": ["/stats", "/inbox"],
        "admin@ward.example": ["/admin", "/admin?action=login", "/inbox"],
    }
    found: dict[str, list[dict[str, Any]]] = {}
    anonymous = await new_page(browser, viewport=viewport, device_scale_factor=zoom, bypass_csp=True)
    for path in ("/login", "/login?error=wrong"):
        await anonymous.goto(inbox.url + path)
        found[path] = await _axe(anonymous)
    await anonymous.context.close()
    for email, paths in pages.items():
        page = await new_page(browser, viewport=viewport, device_scale_factor=zoom, bypass_csp=True)
        await login(page, inbox.url, email)
        for path in paths:
            await page.goto(inbox.url + path)
            found[f"{email} {path}"] = await _axe(page)
            # Reflow: nothing scrolls sideways at this width.
            overflow = await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at {zoom * 100}%"
        await page.context.close()
    assert {where: v for where, v in found.items() if v} == {}


async def test_the_refresh_can_be_paused_and_a_draft_survives_a_lapsed_session(browser: Any, inbox: Inbox) -> None:
    case = await inbox.add_case(["debt"], summary="下書きの相談")
    page = await new_page(browser, viewport={"width": 1280, "height": 900})
    await login(page, inbox.url, "sato@ward.example")
    await page.click("[data-testid=live-toggle]")
    assert await page.get_attribute("[data-testid=live-toggle]", "aria-pressed") == "true"
    paused_case = await inbox.add_case(["debt"])
    await asyncio.sleep(4)  # more than one refresh interval
    assert await page.locator(f"tr[data-case='{paused_case.id}']").count() == 0
    await page.click("[data-testid=live-toggle]")
    await page.locator(f"tr[data-case='{paused_case.id}']").wait_for()

    await page.goto(f"{inbox.url}/inbox/cases/{case.id}")
    await page.fill("[data-testid=message-text]", "明日の午前に、もう一度お電話します。")
    await page.select_option("#template", index=1)
    await page.click("#template-insert")
    typed = await page.input_value("[data-testid=message-text]")
    assert typed.startswith("明日の午前に、もう一度お電話します。\n")  # a saved reply never overwrites
    # The session ends (another tab logged out); the next step goes through the login page.
    await inbox.redis.delete(*[k async for k in inbox.redis.scan_iter("tsunagu:staff:session:*")])
    await page.wait_for_selector("#session-login", state="visible", timeout=TIMEOUT_MS)
    await page.click("#session-login")
    await page.wait_for_url("**/login?next=**")
    await page.fill("input[name=email]", "sato@ward.example")
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"**/inbox/cases/{case.id}")
    assert await page.input_value("[data-testid=message-text]") == typed
    await page.context.close()


async def test_the_session_warns_before_it_ends_and_continue_keeps_it(browser: Any, inbox: Inbox) -> None:
    gate = inbox.app.state.staff.gatekeeper
    idle = gate.idle
    gate.idle = timedelta(seconds=303)  # the warning shows in the last five minutes
    try:
        page = await new_page(browser, viewport={"width": 1280, "height": 900})
        await login(page, inbox.url, "sato@ward.example")
        warning = page.locator("#session-warning")
        await warning.wait_for(state="visible", timeout=TIMEOUT_MS)
        assert "まもなく自動でログアウトします" in await warning.inner_text()
        gate.idle = idle
        await page.click("#session-continue")
        await warning.wait_for(state="hidden")
        assert int(await page.evaluate("document.body.dataset.sessionLeft")) <= 303
        await page.context.close()
    finally:
        gate.idle = idle


async def test_a_printed_case_leaves_out_navigation_and_forms(browser: Any, inbox: Inbox) -> None:
    case = await inbox.add_case(["debt"], summary="印刷する相談")
    page = await new_page(browser, viewport={"width": 1280, "height": 900})
    await login(page, inbox.url, "sato@ward.example")
    await page.goto(f"{inbox.url}/inbox/cases/{case.id}")
    await page.emulate_media(media="print")
    assert await page.is_visible("[data-testid=summary]")
    assert await page.is_visible("[data-testid=history]")
    for hidden in ("header.top", "[data-testid=claim]", "[data-testid=status-note]", ".crumbs"):
        assert not await page.is_visible(hidden), hidden
    await page.context.close()
