"""Operational surfaces and the client address: API docs for admins or DEV_MODE only,
/metrics for configured addresses or a token, X-Forwarded-For only from trusted proxies."""

from __future__ import annotations

import httpx

from tests.bot.inbox_support import api_login, running_inbox

DOCS = ("/docs", "/redoc", "/openapi.json")
TOKEN = "a-metrics-token-for-tests"


async def test_docs_only_for_admins_and_metrics_only_with_the_token() -> None:
    async with running_inbox(metrics_token=TOKEN) as inbox:
        await inbox.add_user("boss@ward.example", "supervisor", ["kurashigoto"])
        await inbox.add_user("admin@ward.example", "admin", [])
        async with httpx.AsyncClient(timeout=30) as anonymous:
            assert [(await anonymous.get(inbox.url + path)).status_code for path in DOCS] == [404, 404, 404]
            assert (await anonymous.get(f"{inbox.url}/metrics")).status_code == 403
            wrong = await anonymous.get(f"{inbox.url}/metrics", headers={"Authorization": "Bearer nope"})
            assert wrong.status_code == 403
            scraped = await anonymous.get(f"{inbox.url}/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
            assert scraped.status_code == 200 and "tsunagu" in scraped.text
        async with httpx.AsyncClient(timeout=30) as supervisor:
            await api_login(supervisor, inbox.url, "boss@ward.example")
            assert [(await supervisor.get(inbox.url + path)).status_code for path in DOCS] == [404, 404, 404]
        async with httpx.AsyncClient(timeout=30) as admin:
            await api_login(admin, inbox.url, "admin@ward.example")
            answers = [await admin.get(inbox.url + path) for path in DOCS]
            assert [a.status_code for a in answers] == [200, 200, 200]
            assert answers[2].json()["paths"]["/api/stats"]


async def test_a_client_cannot_choose_its_address_by_default() -> None:
    async with running_inbox(metrics_allow_ips="203.0.113.7") as inbox, httpx.AsyncClient(timeout=30) as http:
        spoof = {"X-Forwarded-For": "203.0.113.7"}
        failed = await http.post(f"{inbox.url}/api/login", json={"email": "x@ward.example", "password": "guess"},
                                 headers=spoof)
        assert failed.status_code == 401
        assert await inbox.scalar("SELECT client_ip FROM audit_log WHERE action = 'login_failed'") == "127.0.0.1"
        assert (await http.get(f"{inbox.url}/metrics", headers=spoof)).status_code == 403


async def test_a_trusted_proxy_names_the_client() -> None:
    async with running_inbox(forwarded_allow_ips="127.0.0.1", metrics_allow_ips="203.0.113.7") as inbox, \
            httpx.AsyncClient(timeout=30) as http:
        failed = await http.post(f"{inbox.url}/api/login", json={"email": "x@ward.example", "password": "guess"},
                                 headers={"X-Forwarded-For": "198.51.100.9"})
        assert failed.status_code == 401
        assert await inbox.scalar("SELECT client_ip FROM audit_log WHERE action = 'login_failed'") == "198.51.100.9"
        assert (await http.get(f"{inbox.url}/metrics", headers={"X-Forwarded-For": "203.0.113.7"})).status_code == 200
        assert (await http.get(f"{inbox.url}/metrics")).status_code == 403


async def test_docs_and_metrics_are_open_in_dev_mode() -> None:
    async with running_inbox(dev_mode=True) as inbox, httpx.AsyncClient(timeout=30) as http:
        assert [(await http.get(inbox.url + path)).status_code for path in DOCS] == [200, 200, 200]
        assert (await http.get(f"{inbox.url}/metrics")).status_code == 200
