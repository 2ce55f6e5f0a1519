"""Staff administration from the shell: ``python -m handoff.cli create-user|purge``.

The password is read from standard input (never an argument, which would sit in the shell
history and the process list).
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys

from sqlalchemy.exc import IntegrityError

from handoff import audit, crypto
from handoff.auth import WeakPassword, create_user
from handoff.db import make_async_engine, session_factory
from handoff.retention import purge_closed
from handoff.staff_models import ROLES
from settings import get_settings


def _read_password() -> str:
    if sys.stdin.isatty():
        return getpass.getpass("password: ")
    return sys.stdin.readline().rstrip("\r\n")


async def _create_user(args: argparse.Namespace, database_url: str) -> int:
    password = _read_password()
    engine = make_async_engine(database_url)
    try:
        async with session_factory(engine)() as session, session.begin():
            user = await create_user(
                session, email=args.email, password=password, role=args.role,
                centre_codes=args.centre or [], display_name=args.name,
            )
            await audit.record(
                session, actor=None, action="user_create", target=f"user:{user.id}",
                detail={"role": user.role, "centres": user.centre_codes}, actor_email="cli",
            )
            print(f"created user {user.id} {user.email} ({user.role})")
    finally:
        await engine.dispose()
    return 0


async def _purge(args: argparse.Namespace, database_url: str, retention_days: int) -> int:
    engine = make_async_engine(database_url)
    try:
        async with session_factory(engine)() as session, session.begin():
            numbers = await purge_closed(session, retention_days=args.days or retention_days)
        print(f"purged personal data of {len(numbers)} closed case(s)")
    finally:
        await engine.dispose()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m handoff.cli")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-user", help="add a staff account (password on stdin)")
    create.add_argument("--email", required=True)
    create.add_argument("--role", required=True, choices=ROLES)
    create.add_argument("--centre", action="append", help="centre code; repeat for several")
    create.add_argument("--name", help="name shown in the inbox")
    purge = commands.add_parser("purge", help="delete personal data of old closed cases")
    purge.add_argument("--days", type=int, help="override RETENTION_DAYS")
    args = parser.parse_args(argv)
    settings = get_settings()
    crypto.configure(settings.security.encryption_key.get_secret_value())
    try:
        if args.command == "create-user":
            return asyncio.run(_create_user(args, settings.database.url))
        return asyncio.run(_purge(args, settings.database.url, settings.staff.retention_days))
    except (ValueError, WeakPassword) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except IntegrityError:
        print("error: that e-mail already has an account", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
