"""The staff side over HTTP against the running bot: sessions through a simulated working
day, security headers, errors by code, wrong roles, a login form that renews itself,
admin basics, and the JSON API's views."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import pytest_asyncio

from tests.bot.inbox_support import PASSWORD, Inbox, api_login, running_inbox

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def inbox() -> AsyncIterator[Inbox]:
    async with running_inbox() as running:
        await running.add_user("sato@ward.example", "staff", ["kurashigoto"], "佐藤")
        await running.add_user("admin@ward.example", "admin", [], "管理者")
        yield running


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


async def page_login(http: httpx.AsyncClient, url: str, email: str, password: str = PASSWORD) -> httpx.Response:
    form = await http.get(f"{url}/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token
    return await http.post(f"{url}/login", data={"email": email, "password": password, "csrf_token": token[1]})


def csrf_of(html: str) -> str:
    found = re.search(r'data-csrf="([^"]+)"', html)
    assert found
    return found[1]


async def test_a_session_renewed_by_activity_survives_a_nine_hour_day(inbox: Inbox) -> None:
    gate = inbox.app.state.staff.gatekeeper
    clock = Clock()
    gate.clock = clock
    try:
        async with httpx.AsyncClient(timeout=10) as http:
            assert (await page_login(http, inbox.url, "sato@ward.example")).status_code == 303  # 8:30
            for _ in range(27):  # nine hours of work, something done every 20 minutes
                clock.now += timedelta(minutes=20)
                assert (await http.get(f"{inbox.url}/inbox")).status_code == 200
            # 17:30 and still signed in; the page says when the session ends without activity.
            page = await http.get(f"{inbox.url}/inbox")
            assert 'data-session-left="3600"' in page.text
            # Typing a long note sends only a keep-alive, which counts as activity.
            clock.now += timedelta(minutes=50)
            kept = await http.post(f"{inbox.url}/session/extend", headers={"X-CSRF-Token": csrf_of(page.text)})
            assert kept.status_code == 200 and kept.json()["expires_in"] == 3600
            # The page's own background refreshes are not activity: an hour of them ends it.
            for _ in range(4):
                clock.now += timedelta(minutes=15)
                polled = await http.get(f"{inbox.url}/inbox/queue", headers={"X-Staff-Poll": "1"})
            assert polled.status_code == 401
            again = await http.get(f"{inbox.url}/inbox")
            assert again.status_code == 303 and again.headers["location"].startswith("/login?next=%2Finbox")
            assert "error=expired" in again.headers["location"]

        async with httpx.AsyncClient(timeout=10) as http:  # the absolute limit ends the day
            clock.now = start = datetime.now(UTC)
            await page_login(http, inbox.url, "sato@ward.example")
            for _ in range(40):
                clock.now += timedelta(minutes=20)
                answer = await http.get(f"{inbox.url}/inbox")
                if answer.status_code != 200:
                    break
            assert answer.status_code == 303
            assert clock.now - start == timedelta(hours=11)  # STAFF_SESSION_TTL_S, however busy
    finally:
        gate.clock = lambda: datetime.now(UTC)


async def test_staff_pages_and_api_send_security_headers(inbox: Inbox) -> None:
    async with httpx.AsyncClient(timeout=10) as http:
        await page_login(http, inbox.url, "sato@ward.example")
        for path in ("/login", "/inbox", "/api/cases", "/static/staff.js"):
            answer = await http.get(inbox.url + path)
            csp = answer.headers["content-security-policy"]
            assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
            assert answer.headers["x-content-type-options"] == "nosniff"
            assert answer.headers["referrer-policy"] == "no-referrer"
            assert answer.headers["cache-control"] == ("no-cache" if path.startswith("/static") else "no-store")
            assert "strict-transport-security" not in answer.headers  # plain http here
        page = (await http.get(f"{inbox.url}/inbox")).text
        assert "<script>" not in page and " on" + "change=" not in page and "style=" not in page
    # Behind TLS (as the app sees a request over https) HSTS is sent too.
    transport = httpx.ASGITransport(app=inbox.app)
    async with httpx.AsyncClient(transport=transport, base_url="https://staff.example") as tls:
        answer = await tls.get("/login")
        assert answer.headers["strict-transport-security"].startswith("max-age=")
    # The LINE webhook is not a staff page.
    async with httpx.AsyncClient(timeout=10) as http:
        assert "content-security-policy" not in (await http.get(f"{inbox.url}/healthz")).headers


async def test_errors_are_shown_by_code_never_echoed(inbox: Inbox) -> None:
    case = await inbox.add_case(["debt"])
    async with httpx.AsyncClient(timeout=10) as http:
        await page_login(http, inbox.url, "sato@ward.example")
        page = await http.get(f"{inbox.url}/inbox/cases/{case.id}")
        csrf = csrf_of(page.text)
        refused = await http.post(f"{inbox.url}/inbox/cases/{case.id}/status",
                                  data={"csrf_token": csrf, "status": "referred", "refer_to": ""})
        assert refused.status_code == 303 and refused.headers["location"].endswith("error=choose_centre")
        shown = await http.get(inbox.url + refused.headers["location"])
        assert "つなぎ先の窓口を選んでください。" in shown.text
        echoed = await http.get(f"{inbox.url}/inbox/cases/{case.id}?error=<b>injected</b>")
        assert "injected" not in echoed.text
        empty = await http.post(f"{inbox.url}/inbox/cases/{case.id}/note", data={"csrf_token": csrf, "note": " "})
        assert empty.headers["location"].endswith("error=empty_text")
        api_csrf = await api_login(http, inbox.url, "sato@ward.example")
        bad = await http.post(f"{inbox.url}/api/cases/{case.id}/status", json={"status": "referred"},
                              headers={"X-CSRF-Token": api_csrf})
        assert bad.status_code == 400 and bad.json() == {"code": "choose_centre", "detail": "つなぎ先の窓口を選んでください。"}


async def test_a_wrong_role_gets_a_page_and_an_old_login_form_renews_itself(inbox: Inbox) -> None:
    async with httpx.AsyncClient(timeout=10) as http:
        await page_login(http, inbox.url, "sato@ward.example")
        stats = await http.get(f"{inbox.url}/stats")
        assert stats.status_code == 403 and stats.headers["content-type"].startswith("text/html")
        assert "この画面を開く権限がありません" in stats.text
        assert (await http.get(f"{inbox.url}/api/stats")).json()["code"] == "forbidden"
    async with httpx.AsyncClient(timeout=10) as http:
        # The form's token is gone (left open all day, cookies cleared): a fresh form, e-mail kept.
        renewed = await http.post(f"{inbox.url}/login", data={"email": "sato@ward.example", "password": PASSWORD,
                                                             "csrf_token": "stale"})
        assert renewed.status_code == 200 and "画面を新しくしました" in renewed.text
        assert 'value="sato@ward.example"' in renewed.text
        token = re.search(r'name="csrf_token" value="([^"]+)"', renewed.text)
        assert token
        signed = await http.post(f"{inbox.url}/login", data={"email": "sato@ward.example", "password": PASSWORD,
                                                            "csrf_token": token[1], "next": "/inbox?view=today"})
        assert signed.status_code == 303 and signed.headers["location"] == "/inbox?view=today"
        elsewhere = await page_login(http, inbox.url, "sato@ward.example")
        assert elsewhere.headers["location"] == "/inbox"


async def test_admin_disables_enables_and_resets_accounts_and_pages_the_audit_log(inbox: Inbox) -> None:
    user_id = await inbox.add_user("kato@ward.example", "staff", ["kurashigoto"], "加藤")
    async with httpx.AsyncClient(timeout=10) as kato, httpx.AsyncClient(timeout=10) as admin:
        await page_login(kato, inbox.url, "kato@ward.example")
        assert (await kato.get(f"{inbox.url}/inbox")).status_code == 200
        await page_login(admin, inbox.url, "admin@ward.example")
        csrf = csrf_of((await admin.get(f"{inbox.url}/admin")).text)
        done = await admin.post(f"{inbox.url}/admin/users/{user_id}/disable", data={"csrf_token": csrf})
        assert done.headers["location"] == "/admin?done=user_disable"
        assert (await kato.get(f"{inbox.url}/inbox")).status_code == 303  # signed out at once
        assert (await page_login(kato, inbox.url, "kato@ward.example")).headers["location"] == "/login?error=wrong"
        await admin.post(f"{inbox.url}/admin/users/{user_id}/enable", data={"csrf_token": csrf})
        weak = await admin.post(f"{inbox.url}/admin/users/{user_id}/password", data={"csrf_token": csrf,
                                                                                    "password": "short"})
        assert weak.headers["location"] == "/admin?error=weak"
        await admin.post(f"{inbox.url}/admin/users/{user_id}/password",
                         data={"csrf_token": csrf, "password": "a-new-long-password"})
        assert (await page_login(kato, inbox.url, "kato@ward.example")).headers["location"] == "/login?error=wrong"
        assert (await page_login(kato, inbox.url, "kato@ward.example", "a-new-long-password")).status_code == 303
        admin_id = await inbox.scalar("SELECT id FROM staff_users WHERE email = 'admin@ward.example'")
        mine = await admin.post(f"{inbox.url}/admin/users/{admin_id}/disable", data={"csrf_token": csrf})
        assert mine.headers["location"] == "/admin?error=self_disable"

        page = await admin.get(f"{inbox.url}/admin", params={"action": "user_disable"})
        audit = page.text[page.text.index('data-testid="audit"'):]
        assert "アカウント停止" in audit and f"アカウント {user_id}" in audit and "user_disable" not in audit
        assert "{" not in audit.split("</table>")[0]  # words, not JSON
        for _ in range(110):
            await admin.get(f"{inbox.url}/admin", params={"action": "user_disable"})
        everything = await admin.get(f"{inbox.url}/admin", params={"action": "audit_view"})
        assert 'data-testid="audit-next"' in everything.text
        second = await admin.get(f"{inbox.url}/admin", params={"action": "audit_view", "page": 2})
        assert second.status_code == 200 and "/ 2 ページ" in second.text


async def test_the_api_pages_cases_and_offers_the_views(inbox: Inbox) -> None:
    for _ in range(3):
        await inbox.add_case(["debt"])
    async with httpx.AsyncClient(timeout=10) as http:
        await api_login(http, inbox.url, "sato@ward.example")
        first = await http.get(f"{inbox.url}/api/cases", params={"per_page": 2})
        total = int(first.headers["x-total-count"])
        assert len(first.json()) == 2 and total >= 3
        second = await http.get(f"{inbox.url}/api/cases", params={"per_page": 2, "page": 2})
        assert {c["id"] for c in first.json()}.isdisjoint({c["id"] for c in second.json()})
        assert (await http.get(f"{inbox.url}/api/cases", params={"view": "mine"})).json() == []
        assert (await http.get(f"{inbox.url}/api/cases", params={"view": "nope"})).json()["code"] == "bad_view"
        number = first.json()[0]["case_number"]
        found = await http.get(f"{inbox.url}/api/cases", params={"number": number, "status": "all"})
        assert [c["case_number"] for c in found.json()] == [number]


async def test_staff_see_the_residents_language_and_when_an_interpreter_is_needed(inbox: Inbox) -> None:
    english = await inbox.add_case(["debt"], language="en", summary="相談の内容: 借金・お金\n最初に書いたこと: I lost my job")
    japanese = await inbox.add_case(["debt"])
    async with httpx.AsyncClient(timeout=10) as http:
        await page_login(http, inbox.url, "sato@ward.example")
        queue = (await http.get(f"{inbox.url}/inbox")).text
        row_en = queue[queue.index(f'id="case-{english.id}"'):].split("</tr>")[0]
        row_ja = queue[queue.index(f'id="case-{japanese.id}"'):].split("</tr>")[0]
        assert "通訳が必要（英語）" in row_en and "通訳が必要" not in row_ja
        page = (await http.get(f"{inbox.url}/inbox/cases/{english.id}")).text
        assert "言語：英語" in page and 'data-testid="interpreter"' in page and "I lost my job" in page
        page = (await http.get(f"{inbox.url}/inbox/cases/{japanese.id}")).text
        assert "言語：日本語" in page and 'data-testid="interpreter"' not in page
        await api_login(http, inbox.url, "sato@ward.example")
        found = (await http.get(f"{inbox.url}/api/cases/{english.id}")).json()
        assert (found["language"], found["interpreter_needed"]) == ("en", True)
