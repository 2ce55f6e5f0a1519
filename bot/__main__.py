"""``python -m bot [serve|worker|migrate|dead-letters]`` — run the web app, a worker,
migrations, or list and replay dead letters (``dead-letters list``, ``dead-letters replay
ID`` or ``--all``)."""

from __future__ import annotations

import argparse
import asyncio
import signal
from collections.abc import Coroutine
from typing import Any, TypeVar

from settings import get_settings

T = TypeVar("T")


def migrate() -> None:
    from alembic import command

    from bot.schema import alembic_config
    from handoff import crypto

    settings = get_settings()
    # Data migrations re-encrypt rows (migrations/env.py uses the key configured here).
    crypto.configure(settings.security.encryption_key.get_secret_value())
    command.upgrade(alembic_config(settings.database.url), "head")


def wait_for_migrations(timeout_s: float) -> int:
    """Exit status 0 once another process (the migration Job) has migrated the database."""
    from bot.logs import configure_logging, get_logger
    from bot.schema import wait_for_schema

    settings = get_settings()
    configure_logging(settings.log_level)
    if wait_for_schema(settings.database.url, timeout_s=timeout_s):
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
        host=settings.web.host,
        port=settings.web.port,
        log_level=settings.log_level.lower(),
        access_log=False,  # request lines would carry nothing useful and cost time
        **server_options(),  # proxy headers: FORWARDED_ALLOW_IPS only (bot.security)
    )


async def _worker() -> None:
    from bot.background import Background
    from bot.heap import freeze_startup_objects
    from bot.logs import configure_logging
    from bot.services import build_services
    from bot.worker import default_consumer_name

    settings = get_settings()
    configure_logging(settings.log_level)
    stopping = asyncio.Event()
    running = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        running.add_signal_handler(sig, stopping.set)
    services = await build_services(settings, pre_ping=False)  # retried turns stand in for the ping
    freeze_startup_objects()
    # The stream and, beside it, outbox retries, callback reminders, housekeeping.
    background = Background(services.loops([default_consumer_name()]))
    background.start()
    try:
        await background.run_until(stopping)
    finally:
        await services.aclose()


async def _dead_letters(action: str, ids: list[str], replay_all: bool) -> int:
    import json

    from bot.redis_conn import connect_redis
    from bot.services import delivery_stores, install_keys

    settings = get_settings()
    install_keys(settings)
    client = connect_redis(settings.redis)
    _outbox, letters = delivery_stores(settings, client)
    try:
        if action == "list":
            for letter in await letters.all():
                print(json.dumps(letter.summary(), ensure_ascii=False))
            return 0
        if replay_all:
            ids = [letter.id for letter in await letters.all()]
        if not ids:
            print("give dead letter ids, or --all")
            return 2
        for letter_id in ids:
            try:
                print(json.dumps({"id": letter_id, "replayed": await letters.replay(letter_id)}))
            except LookupError:
                print(json.dumps({"id": letter_id, "replayed": None, "error": "no such dead letter"}))
        return 0
    finally:
        await client.aclose()


def run(main: Coroutine[Any, Any, T]) -> T:
    """Run on uvloop where it is installed (a worker's CPU per event 8.6 ms instead of 10.1,
    back to back in bench/profile_handling.py), else on asyncio's own loop."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(main)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(main)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    parser.add_argument("command", nargs="?", default="serve", choices=["serve", "worker", "migrate", "dead-letters"])
    parser.add_argument("action", nargs="?", choices=["list", "replay"], help="dead-letters: list or replay")
    parser.add_argument("ids", nargs="*", help="dead-letters replay: the ids to replay")
    parser.add_argument("--all", action="store_true", help="dead-letters replay: every dead letter")
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
        run(_worker())
    elif args.command == "dead-letters":
        raise SystemExit(asyncio.run(_dead_letters(args.action or "list", args.ids, args.all)))
    else:
        serve()


if __name__ == "__main__":
    main()
