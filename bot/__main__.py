"""``python -m bot [serve|worker|migrate]`` — run the web app, a worker, or migrations."""

from __future__ import annotations

import argparse
import asyncio
import signal

from bot.config import get_settings


def migrate() -> None:
    from alembic import command

    from bot.schema import alembic_config

    command.upgrade(alembic_config(), "head")


def wait_for_migrations(timeout_s: float) -> int:
    """Exit status 0 once another process (the migration Job) has migrated the database."""
    from bot.logs import configure_logging, get_logger
    from bot.schema import wait_for_schema

    settings = get_settings()
    configure_logging(settings.log_level)
    if wait_for_schema(settings.database_url, timeout_s=timeout_s):
        return 0
    get_logger("bot.schema").error("schema.not_migrated", waited_s=timeout_s)
    return 1


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
    parser.add_argument(
        "--wait", type=float, metavar="SECONDS",
        help="with migrate: change nothing, wait up to SECONDS for the schema to be at head",
    )
    args = parser.parse_args()
    if args.command == "migrate" and args.wait is not None:
        raise SystemExit(wait_for_migrations(args.wait))
    if args.command == "migrate":
        migrate()
    elif args.command == "worker":
        asyncio.run(_worker())
    else:
        serve()


if __name__ == "__main__":
    main()
