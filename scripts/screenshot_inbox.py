"""Regenerate ``docs/inbox.png``, ``docs/case.png`` and ``docs/stats.png``.

Starts the real bot in dev mode on a free loopback port (embedded Redis, SQLite in a
temporary directory), seeds fictitious staff, cases and anonymised events, and takes the
pictures in Debian's Chromium.  Every name and number in them is made up.

    .venv/bin/python scripts/screenshot_inbox.py [--out docs]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import socket
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import uvicorn

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from bot.app import create_app  # noqa: E402
from flows.catalogue import load_catalogue  # noqa: E402
from flows.definition import load_flows  # noqa: E402
from handoff import crypto, events, inbox  # noqa: E402
from handoff.auth import Principal, create_user  # noqa: E402
from handoff.cases import Consent, add_resident_message, create_handoff  # noqa: E402
from handoff.db import make_async_engine, session_factory  # noqa: E402
from handoff.directory import load_directory  # noqa: E402
from handoff.lifecycle import DangerReport  # noqa: E402
from handoff.models import Base  # noqa: E402
from handoff.routing import route  # noqa: E402
from settings import Settings  # noqa: E402
from tests.support.browser import launch  # noqa: E402

PASSWORD = "screenshot-password"
CASES = [
    (["debt"], "カードの返済が3か月とどこおっています。督促の電話がこわいです。", "phone", False, 26),
    (["family_8050", "hikikomori"], "80代の母と、10年家にいる50代の兄のことで相談したいです。", "line", False, 5),
    (["debt"], "家賃を払えそうにありません。仕事が減りました。", "phone", True, 1),
    (["housing_refusal"], "高齢なので、部屋を借りられないと言われました。", "phone", False, -20),
    (["double_care"], "父の介護と子どもの世話が重なって、仕事を続けられるか不安です。", "line", False, 30),
    (["debt", "other_welfare"], "税金と保険料の支払いがむずかしいです。", "phone", False, 50),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def seed(database_url: str) -> int:
    directory = load_directory("edogawa")
    engine = make_async_engine(database_url)
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    sessions = session_factory(engine)
    now = datetime.now(UTC)
    rng = random.Random(3)
    async with sessions() as session, session.begin():
        sato = await create_user(session, email="sato@ward.example", password=PASSWORD, role="staff",
                                 centre_codes=["kurashigoto", "nagomi"], display_name="佐藤")
        await create_user(session, email="boss@ward.example", password=PASSWORD, role="supervisor",
                          centre_codes=["kurashigoto", "nagomi"], display_name="統括 山本")
        staff = Principal.of(sato)
        ids = []
        for i, (situations, summary, method, urgent, hours_ago) in enumerate(CASES):
            created = now - timedelta(hours=abs(hours_ago))
            case = await create_handoff(
                session, route=route(directory, situations=situations, facts={}, urgent=urgent),
                situations=situations, summary=summary,
                answers={"flow": situations[0], "いつから": "半年ほど前から", "いま困っていること": summary},
                consent=Consent(scope=["share_with_centre", "contact_by_centre"], text_version="2026-11", at=created),
                contact_method=method, line_user_id=f"U{i:032x}", phone="090-1234-5678" if method == "phone" else None,
                now=created,
            )
            ids.append(case.id)
        # An urgent case raised by a danger message: its reason comes first on the case page.
        danger = await create_handoff(
            session, route=route(directory, situations=[], facts={}, urgent=True), situations=["crisis"],
            summary="", answers={}, flow="urgent",
            consent=Consent(scope=["share_answers_with_centre", "sensitive_details", "contact_details"],
                            text_version="2026-11-3fa2b9c0", at=now - timedelta(minutes=12)),
            contact_method="phone", line_user_id="U" + "d" * 32, phone="070-5555-6666",
            now=now - timedelta(minutes=12),
            danger=DangerReport(("suicidal",), "もう疲れました。消えてしまいたいと思うことがあります。"),
        )
        await add_resident_message(session, danger.id, "夕方なら電話に出られます。")
        await inbox.claim(session, staff, ids[0])
        await inbox.reschedule(session, staff, ids[0], now + timedelta(hours=2))
        await add_resident_message(session, ids[0], "夕方なら電話に出られます。<b>よろしくお願いします</b>")
        await inbox.add_note(session, staff, ids[0], "督促の件数と金額を次回確認。家計の状況も聞く。", kind="call")
        await inbox.claim(session, staff, ids[5])
        await inbox.change_status(session, staff, ids[5], "no_answer", directory=directory)
        await inbox.claim(session, staff, ids[4])
        await inbox.change_status(session, staff, ids[4], "contacted", directory=directory)
        # Twelve weeks of anonymised activity for the statistics page.
        flow_steps = {code: flow.steps for code, flow in load_flows(load_catalogue()).items()}
        flows = {"debt": 0.35, "family_8050": 0.15, "hikikomori": 0.15, "housing_refusal": 0.1,
                 "double_care": 0.1, "general": 0.15}
        for _ in range(900):
            flow = rng.choices(list(flows), weights=list(flows.values()))[0]
            at = now - timedelta(hours=rng.randrange(12 * 7 * 24))
            at = at.replace(hour=rng.choice([9, 10, 11, 12, 13, 14, 15, 19, 20, 21, 22, 23]))
            situation = flow if flow != "general" else "other_welfare"
            await events.record_event(session, ward="edogawa", flow=flow, kind="start", situation=situation, at=at)
            first_step = next(iter(flow_steps[flow]))
            if rng.random() < 0.7:
                await events.record_event(session, ward="edogawa", flow=flow, kind="step", step=first_step, at=at)
            if rng.random() < 0.5:
                await events.record_event(session, ward="edogawa", flow=flow, kind="outcome",
                                          outcome="consent_given", at=at)
                if rng.random() < 0.8:
                    await events.record_event(session, ward="edogawa", flow=flow, kind="outcome",
                                              outcome="handoff", situation=situation, at=at)
                    centre = "kurashigoto" if flow in ("debt", "general") else rng.choice(["nagomi", "hikikomori"])
                    await events.record_event(session, ward="edogawa", flow=flow, kind="outcome", outcome="received",
                                              step=f"centre.{centre}", situation=situation, at=at)
                    if rng.random() < 0.2:
                        await events.record_event(session, ward="edogawa", flow=flow, kind="outcome",
                                                  outcome="combination", step="debt.hikikomori", at=at)
                    if rng.random() < 0.85:
                        bucket = rng.choices(["within_4h", "within_24h", "within_72h", "over_72h"], [5, 6, 2, 1])[0]
                        await events.record_event(session, ward="edogawa", flow=flow, kind="outcome",
                                                  outcome="contacted", step=bucket, at=at)
            elif rng.random() < 0.3:
                await events.record_event(session, ward="edogawa", flow=flow, kind="outcome", outcome="stopped",
                                          step=first_step, at=at)
    await engine.dispose()
    return danger.id


async def main(out: Path) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="tsunagu-shots-"))
    database_url = f"sqlite+aiosqlite:///{tmp / 'shots.db'}"
    port = free_port()
    settings = Settings.from_variables({"DEV_MODE": True, "PORT": port, "DATABASE_URL": database_url,
                                        "STAFF_COOKIE_SECURE": False, "LOG_LEVEL": "WARNING"})
    crypto.configure(settings.security.encryption_key.get_secret_value())
    danger_case = await seed(database_url)
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    for _ in range(600):  # until uvicorn is listening
        if server.started:
            break
        await asyncio.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    from playwright.async_api import async_playwright

    try:
        async with async_playwright() as p:
            browser = await launch(p)
            for email, shots in (("sato@ward.example", ("inbox", "case")), ("boss@ward.example", ("stats",))):
                page = await browser.new_page(viewport={"width": 1280, "height": 860}, locale="ja-JP")
                await page.goto(f"{base}/login")
                await page.fill("input[name=email]", email)
                await page.fill("input[name=password]", PASSWORD)
                await page.click("button[type=submit]")
                await page.wait_for_load_state("networkidle")
                for shot in shots:
                    url = {"inbox": "/inbox", "case": f"/inbox/cases/{danger_case}", "stats": "/stats"}[shot]
                    await page.goto(base + url)
                    await page.wait_for_load_state("networkidle")
                    await page.screenshot(path=str(out / f"{shot}.png"), full_page=shot != "inbox")
                    print(f"wrote {out / f'{shot}.png'}")
                await page.close()
            await browser.close()
    finally:
        server.should_exit = True
        await task


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "docs")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    asyncio.run(main(args.out))

