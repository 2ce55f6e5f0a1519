"""``python -m bot [serve|worker|migrate]`` — run the web app, a worker, or migrations."""

from __future__ import annotations

import argparse
import asyncio
import signal

from bot.config import get_settings


def migrate() -> None:
    from alembic import command
    from alembic.config import Config

    from bot.config import REPO_ROOT

    config = Config(str(REPO_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(REPO_ROOT / "migrations"))
    command.upgrade(config, "head")


def serve() -> None:
    import uvicorn

    from bot.app import create_app
    from bot.security import server_options

    settings = get_settings()
    uvicorn.run(
        create_app(settings, freeze_heap=True),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level.lower(),
        access_log=False,  # request lines would carry nothing useful and cost time
        **server_options(),  # proxy headers: FORWARDED_ALLOW_IPS only (bot.security)
    )


async def _worker() -> None:
    from bot.heap import freeze_startup_objects
    from bot.logs import configure_logging
    from bot.services import build_services

    settings = get_settings()
    configure_logging(settings.log_level)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    services = await build_services(settings)
    freeze_startup_objects()
    worker = services.worker()
    run = asyncio.create_task(worker.run())
    reminders = asyncio.create_task(services.reminders.run()) if services.reminders else None
    stop = asyncio.create_task(stopping.wait())
    try:
        await asyncio.wait({run, stop}, return_when=asyncio.FIRST_COMPLETED)
        worker.stop()
        if services.reminders is not None:
            services.reminders.stop()
        await run
        if reminders is not None:
            await reminders
    finally:
        stop.cancel()
        await services.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    parser.add_argument("command", nargs="?", default="serve", choices=["serve", "worker", "migrate"])
    args = parser.parse_args()
    if args.command == "migrate":
        migrate()
    elif args.command == "worker":
        asyncio.run(_worker())
    else:
        serve()


if __name__ == "__main__":
    main()
