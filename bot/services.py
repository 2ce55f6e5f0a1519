"""The shared wiring of the web process and worker processes.

Both need the same Redis client, LINE client, database engine and conversation; a
worker process simply does not serve HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import redis.asyncio as redis
import yaml
from linebot.v3.messaging import AsyncApiClient, AsyncMessagingApi, Configuration
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.alerts import StaffAlerts
from bot.config import DATA_DIR, Settings
from bot.deadletters import DeadLetters
from bot.delivery import FAST_PATH_WAIT_S, Deliverer, DeliverySettings
from bot.dispatch import Dispatcher
from bot.intake import EventIntake
from bot.maintenance import Maintenance
from bot.messenger import Messenger
from bot.outbox import Outbox
from bot.redis_conn import connect_redis
from bot.reminders import ReminderScheduler
from bot.staff_push import StaffSender
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
# An enqueue is remembered (and so never repeated) this much longer than it is useful.
KNOWN_MARGIN_S = 24 * 3600


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
    outbox: Outbox
    dead_letters: DeadLetters
    deliverer: Deliverer
    staff_sender: StaffSender
    maintenance: Maintenance
    understander: Understands | None = None
    # Callback reminders: run wherever stream workers run (bot/app.py, python -m bot worker).
    reminders: ReminderScheduler | None = None

    def worker(self, name: str | None = None) -> StreamWorker:
        s = self.settings
        return StreamWorker(
            self.redis,
            self.dispatcher,
            consumer=name or default_consumer_name(),
            concurrency=s.worker_concurrency,
            reclaim_idle_ms=s.reclaim_idle_ms,
            block_ms=s.worker_block_ms,
            lock_lease_s=s.worker_lock_lease_s,
            heartbeat_s=s.worker_heartbeat_s,
            handle_timeout_s=s.handle_timeout_s,
            attempts=s.handle_attempts,
            danger_fallback_after_s=s.danger_fallback_after_s,
            outbox=self.outbox,
            dead_letters=self.dead_letters,
            deliver=lambda resident: self.deliverer.deliver(resident, wait_s=FAST_PATH_WAIT_S),
            last_resort=self.dispatcher.last_resort,
            hash_of=self.dispatcher.hash_of,
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


def staff_labels() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((DATA_DIR / "staff" / "labels.yml").read_text(encoding="utf-8"))
    return loaded


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
    db_engine = make_async_engine(
        settings.database_url, connect_timeout_s=settings.db_connect_timeout_s,
        statement_timeout_ms=settings.db_statement_timeout_ms, pool_timeout_s=settings.db_pool_timeout_s,
    )
    sessions = session_factory(db_engine)
    # Embedded by default; with NLU_BACKEND=rasa, Rasa wrapped in the embedded fallback.
    understander = await build_understander(settings)
    directory = load_directory(settings.ward)
    state = StateStore(redis_client, settings.conversation_ttl_s)
    conversation = Conversation(
        state=state,
        catalogue=catalogue,
        understander=understander,
        desk=HandoffDesk(directory=directory, sessions=sessions),
    )
    messenger = Messenger(AsyncMessagingApi(line_client), timeout_s=settings.line_timeout_s)
    takeover = TakeoverRegistry(redis_client)
    dispatcher = Dispatcher(
        messenger=messenger,
        conversation=conversation,
        state=state,
        catalogue=catalogue,
        client=redis_client,
        hash_key=settings.log_hash_key.get_secret_value(),
        understander=understander,
        # Staff takeover: the bot stays quiet while a person owns the conversation.
        takeover=StaffRelay(takeover, sessions, understander.danger),
        loading_after_s=settings.loading_after_s,
    )
    outbox = Outbox(
        redis_client, known_ttl_s=int(settings.delivery_useful_s) + KNOWN_MARGIN_S,
        useful_s=settings.delivery_useful_s,
    )
    dead_letters = DeadLetters(redis_client, ttl_s=settings.dead_letter_ttl_s, outbox=outbox)
    labels = staff_labels()
    alerts = StaffAlerts(sessions=sessions, directory=directory,
                         summary=lambda words: str(labels["delivery"]["alert_summary"]).format(words=words))
    deliverer = Deliverer(
        client=redis_client, outbox=outbox, messenger=messenger, dead_letters=dead_letters, alert=alerts,
        settings=DeliverySettings(
            reply_window_s=settings.reply_token_window_s, backoff_base_s=settings.delivery_backoff_base_s,
            backoff_cap_s=settings.delivery_backoff_cap_s, lease_s=settings.delivery_lease_s,
            alert_after_s=settings.danger_alert_after_s, poll_s=settings.delivery_poll_s,
        ),
        hash_of=dispatcher.hash_of,
    )
    staff_sender = StaffSender(client=redis_client, outbox=outbox, deliverer=deliverer, takeover=takeover)
    return Services(
        settings=settings,
        redis=redis_client,
        line_client=line_client,
        db_engine=db_engine,
        intake=EventIntake(redis_client, settings.dedupe_ttl_s),
        dispatcher=dispatcher,
        outbox=outbox,
        dead_letters=dead_letters,
        deliverer=deliverer,
        staff_sender=staff_sender,
        maintenance=Maintenance(
            client=redis_client, outbox=outbox, dead_letters=dead_letters, sessions=sessions,
            sender=staff_sender, notice=catalogue.text, alert=alerts,
            keep_effects_s=max(settings.dead_letter_ttl_s, settings.dedupe_ttl_s) + KNOWN_MARGIN_S,
        ),
        understander=understander,
        reminders=ReminderScheduler(
            sessions=sessions, outbox=outbox, deliverer=deliverer, conversation=conversation,
            directory=directory, interval_s=settings.reminder_interval_s,
        ),
    )
