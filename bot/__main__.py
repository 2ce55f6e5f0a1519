"""``python -m bot [serve|worker|migrate|dead-letters]`` — run the web app, a worker,
migrations, or list and replay dead letters (``dead-letters list``, ``dead-letters replay
ID`` or ``--all``)."""

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
    # Beside the stream: outbox retries, callback reminders, housekeeping.
    loops = [services.deliverer, services.maintenance, *([services.reminders] if services.reminders else [])]
    helpers = [asyncio.create_task(loop.run()) for loop in loops]
    stop = asyncio.create_task(stopping.wait())
    try:
        await asyncio.wait({run, stop}, return_when=asyncio.FIRST_COMPLETED)
        worker.stop()
        for loop in loops:
            loop.stop()
        await run
        await asyncio.gather(*helpers)
    finally:
        stop.cancel()
        await services.aclose()


async def _dead_letters(action: str, ids: list[str], replay_all: bool) -> int:
    import json

    from bot.deadletters import DeadLetters
    from bot.outbox import Outbox
    from bot.redis_conn import connect_redis
    from bot.services import KNOWN_MARGIN_S
    from handoff import crypto

    settings = get_settings()
    crypto.configure(settings.encryption_key.get_secret_value())
    client = connect_redis(settings)
    outbox = Outbox(client, known_ttl_s=int(settings.delivery_useful_s) + KNOWN_MARGIN_S,
                    useful_s=settings.delivery_useful_s)
    letters = DeadLetters(client, ttl_s=settings.dead_letter_ttl_s, outbox=outbox)
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
        asyncio.run(_worker())
    elif args.command == "dead-letters":
        raise SystemExit(asyncio.run(_dead_letters(args.action or "list", args.ids, args.all)))
    else:
        serve()


if __name__ == "__main__":
    main()
