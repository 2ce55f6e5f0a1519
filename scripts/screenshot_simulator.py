"""Regenerate ``docs/simulator.png``: the LINE simulator after a short conversation.

Starts the real bot in dev mode on a free loopback port (embedded Redis, SQLite in a
temporary directory), opens ``/dev/chat`` in Debian's Chromium at a phone-sized
viewport, lets the follow event bring the welcome, sends a message, and screenshots.

    .venv/bin/python scripts/screenshot_simulator.py [--out docs/simulator.png]

``--showcase`` also shows a card with buttons and quick replies (rendered by
``bot.render`` and placed in the local Messaging API's mailbox, as if the bot had sent
it), to check how those look before a flow sends them.  Needs ``/usr/bin/chromium``
(``apt-get install chromium``) and, for Japanese text, a CJK font (``fonts-noto-cjk``).
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import sys
import tempfile
from pathlib import Path

import uvicorn

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from bot.app import create_app  # noqa: E402
from settings import Settings  # noqa: E402
from tests.support.browser import CHROMIUM, chromium_available, launch  # noqa: E402

MESSAGE = "家賃が払えなくなりそうで、どこに相談したらいいですか"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def migrate(database_url: str) -> None:
    """The same Alembic migrations ``make run`` applies, on the temporary database."""
    from alembic import command
    from alembic.config import Config

    config = Config(str(REPO_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(REPO_ROOT / "migrations"))
    config.cmd_opts = argparse.Namespace(x=[f"url={database_url}"])
    command.upgrade(config, "head")


def showcase_delivery(user_id: str):  # type: ignore[no-untyped-def]
    from bot.dev.line_api import Delivery
    from bot.render import render
    from flows.outgoing import Button, Card, Text

    card = Card(
        alt_text="ご相談の内容の確認",
        title="ご相談の内容",
        rows=(("困りごと", "家賃の支払い"), ("お住まい", "江戸川区")),
        note="内容を確認して、よければ「この内容で進む」を押してください。",
        buttons=(
            Button("この内容で進む", data="confirm=yes", display_text="この内容で進みます"),
            Button("書き直す", text="書き直す"),
        ),
    )
    text = Text(
        "連絡してほしい日を選んでください。",
        quick_replies=(
            Button("今日", data="day=today", display_text="今日"),
            Button("明日", data="day=tomorrow", display_text="明日"),
            Button("日付を選ぶ", data="day=pick", pick="date"),
            Button("時間を選ぶ", data="time=pick", pick="time"),
            Button("やめる", text="やめる"),
        ),
    )
    messages = [render(card).to_dict(), render(text).to_dict()]
    return lambda seq: Delivery(seq, "push", user_id, messages)


async def run(out: Path, showcase: bool) -> None:
    from playwright.async_api import async_playwright

    port = free_port()
    with tempfile.TemporaryDirectory(prefix="tsunagu-sim-") as tmp:
        database_url = f"sqlite+aiosqlite:///{Path(tmp) / 'tsunagu.db'}"
        migrate(database_url)
        settings = Settings.from_variables({
            "DEV_MODE": True, "HOST": "127.0.0.1", "PORT": port, "REDIS_URL": "memory://",
            "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING",
        })
        app = create_app(settings)
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
        )
        task = asyncio.create_task(server.serve())
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.02)
        try:
            async with async_playwright() as p:
                browser = await launch(p)
                page = await browser.new_page(
                    viewport={"width": 420, "height": 800}, device_scale_factor=2, locale="ja-JP"
                )
                await page.goto(f"http://127.0.0.1:{port}/dev/chat")
                bot_rows = page.locator(".row.bot:not(.typing)")
                await bot_rows.first.wait_for(timeout=15_000)
                await page.fill("#input", MESSAGE)
                await page.press("#input", "Enter")
                await bot_rows.nth(1).wait_for(timeout=15_000)
                if showcase:
                    user_id = await page.evaluate("document.body.dataset.userId")
                    fake = app.state.fake_line
                    fake._record(showcase_delivery(user_id)(next(fake._seq)))
                    await page.locator(".fx-bubble").wait_for(timeout=10_000)
                    await page.locator(".quick-replies .pill").first.wait_for()
                await page.wait_for_timeout(700)  # let the smooth scroll settle
                out.parent.mkdir(parents=True, exist_ok=True)
                await page.screenshot(path=str(out))
                await browser.close()
        finally:
            server.should_exit = True
            await task
    print(f"wrote {out}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "docs" / "simulator.png")
    parser.add_argument(
        "--showcase", action="store_true", help="also show a card and quick replies"
    )
    args = parser.parse_args()
    if not chromium_available():
        sys.exit(f"{CHROMIUM} is missing: apt-get install -y chromium fonts-noto-cjk")
    asyncio.run(run(args.out, args.showcase))


if __name__ == "__main__":
    main()
