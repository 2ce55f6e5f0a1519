"""The shared wiring of the web process and worker processes.

Both need the same Redis client, LINE client, database engine and conversation; a
worker process simply does not serve HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass

import redis.asyncio as redis
from linebot.v3.messaging import AsyncApiClient, AsyncMessagingApi, Configuration
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Settings
from bot.dispatch import Dispatcher
from bot.intake import EventIntake
from bot.messenger import Messenger
from bot.redis_conn import connect_redis
from bot.reminders import ReminderScheduler
from bot.worker import StreamWorker, default_consumer_name
from flows.catalogue import load_catalogue
from flows.conversation import Conversation
from flows.desk import HandoffDesk
from flows.ports import Understands
from flows.state import StateStore
from handoff import crypto
from handoff.db import make_async_engine, session_factory
from handoff.directory import load_directory
from handoff.takeover import StaffRelay, TakeoverRegistry
from nlu.pipeline import build_understander

DEFAULT_LINE_API = "https://api.line.me"


def line_api_base(settings: Settings) -> str:
    # In dev mode with no explicit API, talk to the local fake behind the simulator.
    if settings.dev_mode and settings.line_api_base_url == DEFAULT_LINE_API:
        return f"http://{settings.host}:{settings.port}/dev/line-api"
    return settings.line_api_base_url


@dataclass
class Services:
    settings: Settings
    redis: redis.Redis
    line_client: AsyncApiClient
    db_engine: AsyncEngine
    intake: EventIntake
    dispatcher: Dispatcher
    understander: Understands | None = None
    # Callback reminders: run wherever stream workers run (bot/app.py, python -m bot worker).
    reminders: ReminderScheduler | None = None

    def worker(self, name: str | None = None) -> StreamWorker:
        return StreamWorker(
            self.redis,
            self.dispatcher,
            consumer=name or default_consumer_name(),
            concurrency=self.settings.worker_concurrency,
            reclaim_idle_ms=self.settings.reclaim_idle_ms,
            block_ms=self.settings.worker_block_ms,
            lock_lease_s=self.settings.worker_lock_lease_s,
        )

    async def nlu_ready(self) -> bool:
        ready = getattr(self.understander, "ready", None)
        return bool(await ready()) if ready is not None else self.understander is not None

    async def aclose(self) -> None:
        closer = getattr(self.understander, "aclose", None)
        if closer is not None:
            await closer()
        await self.line_client.close()
        await self.redis.aclose()
        await self.db_engine.dispose()


async def build_services(settings: Settings) -> Services:
    redis_client = connect_redis(settings)
    line_client = AsyncApiClient(
        Configuration(
            host=line_api_base(settings),
            access_token=settings.line_channel_access_token.get_secret_value(),
        )
    )
    catalogue = load_catalogue()
    crypto.configure(settings.encryption_key.get_secret_value())
    db_engine = make_async_engine(settings.database_url)
    # Embedded by default; with NLU_BACKEND=rasa, Rasa wrapped in the embedded fallback.
    understander = await build_understander(settings)
    directory = load_directory(settings.ward)
    conversation = Conversation(
        state=StateStore(redis_client, settings.conversation_ttl_s),
        catalogue=catalogue,
        understander=understander,
        desk=HandoffDesk(directory=directory, sessions=session_factory(db_engine)),
    )
    messenger = Messenger(AsyncMessagingApi(line_client))
    dispatcher = Dispatcher(
        messenger=messenger,
        conversation=conversation,
        catalogue=catalogue,
        client=redis_client,
        hash_key=settings.log_hash_key.get_secret_value(),
        # Staff takeover: the bot stays quiet while a person owns the conversation.
        takeover=StaffRelay(TakeoverRegistry(redis_client), session_factory(db_engine), understander.danger),
        loading_after_s=settings.loading_after_s,
    )
    return Services(
        settings=settings,
        redis=redis_client,
        line_client=line_client,
        db_engine=db_engine,
        intake=EventIntake(redis_client, settings.dedupe_ttl_s),
        dispatcher=dispatcher,
        understander=understander,
        reminders=ReminderScheduler(
            sessions=session_factory(db_engine), messenger=messenger, conversation=conversation,
            directory=directory, interval_s=settings.reminder_interval_s,
        ),
    )
