"""The composition root: every client, engine, pool and service of a process, built once.

The web app's lifespan (bot/app.py), a worker process (``python -m bot worker``) and the
tests (through ``create_app``) build here, from ``Settings``; nothing below creates a client
or reads settings of its own: each piece is handed what it needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import redis.asyncio as redis
import yaml
from linebot.v3.messaging import AsyncApiClient, AsyncMessagingApi
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.alerts import StaffAlerts
from bot.aof import CHECK_EVERY_S, AofCompactor
from bot.background import Every, Loop
from bot.deadletters import DeadLetters
from bot.delivery import Deliverer
from bot.delivery import DeliverySettings as DeliveryTuning
from bot.dispatch import Dispatcher
from bot.intake import EventIntake
from bot.legacy_keys import rename_legacy_keys
from bot.logs import get_logger
from bot.maintenance import Maintenance
from bot.messenger import Messenger, line_api_client
from bot.outbox import Outbox
from bot.redis_conn import connect_redis
from bot.reminders import ReminderScheduler
from bot.staff_push import StaffSender
from bot.worker import StreamWorker, default_consumer_name
from flows import language, redis_keys
from flows.catalogue import Catalogue, load_catalogue
from flows.conversation import Conversation
from flows.state import StateStore
from handoff import crypto, open_cases
from handoff.db import make_async_engine, session_factory
from handoff.desk import HandoffDesk
from handoff.directory import Directory, load_directory
from handoff.open_cases import CaseOpenings
from handoff.takeover import StaffRelay, TakeoverRegistry
from nlu.pipeline import Understander, build_understander
from settings import DATA_DIR, DEFAULT_LINE_API, Settings

log = get_logger("bot.services")
# An enqueue is remembered (and so never repeated) this much longer than it is useful.
KNOWN_MARGIN_S = 24 * 3600
# Outgoing HTTP other than LINE's (the staff webhook, the dev simulator's own /callback).
HTTP_TIMEOUT_S = 10.0


def line_api_base(settings: Settings) -> str:
    # In dev mode with no explicit API, talk to the local fake behind the simulator.
    if settings.dev_mode and settings.line.api_base_url == DEFAULT_LINE_API:
        return f"http://{settings.web.host}:{settings.web.port}/dev/line-api"
    return settings.line.api_base_url


@dataclass
class Services:
    settings: Settings
    redis: redis.Redis
    line_client: AsyncApiClient
    http: httpx.AsyncClient
    db_engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    catalogue: Catalogue
    directory: Directory
    understander: Understander
    takeover: TakeoverRegistry
    intake: EventIntake
    dispatcher: Dispatcher
    outbox: Outbox
    dead_letters: DeadLetters
    deliverer: Deliverer
    staff_sender: StaffSender
    maintenance: Maintenance
    # Callback reminders: run wherever stream workers run (see ``loops``).
    reminders: ReminderScheduler
    # The desk's single-statement reads, on connections of their own in autocommit.
    reads_engine: AsyncEngine | None = None

    def worker(self, name: str | None = None) -> StreamWorker:
        s = self.settings.worker
        return StreamWorker(
            self.redis,
            self.dispatcher,
            consumer=name or default_consumer_name(),
            concurrency=s.concurrency,
            reclaim_idle_ms=s.reclaim_idle_ms,
            block_ms=s.block_ms,
            lock_lease_s=s.lock_lease_s,
            heartbeat_s=s.heartbeat_s,
            handle_timeout_s=s.handle_timeout_s,
            attempts=s.handle_attempts,
            danger_fallback_after_s=s.danger_fallback_after_s,
            outbox=self.outbox,
            dead_letters=self.dead_letters,
            delivery=self.deliverer,
            last_resort=self.dispatcher.last_resort,
            hash_of=self.dispatcher.hash_of,
            read_ahead=self.read_ahead_keys,
        )

    def read_ahead_keys(self, resident: str) -> list[str]:
        """What a turn reads first: the dispatcher's keys and the "no open case" marker with
        its counters (``handoff.open_cases``), all read with the resident's lease."""
        return self.dispatcher.read_ahead_keys(resident) + open_cases.read_ahead_keys(resident)

    def loops(self, consumers: list[str]) -> list[Loop]:
        """Stream workers named ``consumers`` and, only where they run, outbox retries and
        callback reminders; housekeeping (delivery records, /metrics gauges) runs in every
        process."""
        workers: list[Loop] = [self.worker(name) for name in consumers]
        beside: list[Loop] = [self.deliverer, self.reminders] if workers else []
        return [*workers, *beside, self.maintenance, *self.compaction()]

    def compaction(self) -> list[Loop]:
        """The append-only file's rewrites (bot/aof.py); none for the embedded Redis."""
        if self.settings.redis.embedded:
            return []
        compactor = AofCompactor(self.redis, every_s=self.settings.redis.aof_rewrite_every_s)
        return [Every(compactor.step, CHECK_EVERY_S, "aof.compaction_failed")]

    async def nlu_ready(self) -> bool:
        return await self.understander.ready()

    async def aclose(self) -> None:
        await self.understander.aclose()
        await self.http.aclose()
        await self.line_client.close()
        await self.redis.aclose()
        await self.db_engine.dispose()
        if self.reads_engine is not None:
            await self.reads_engine.dispose()


def staff_labels() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((DATA_DIR / "staff" / "labels.yml").read_text(encoding="utf-8"))
    return loaded


def delivery_stores(settings: Settings, client: redis.Redis) -> tuple[Outbox, DeadLetters]:
    """The outbox and its dead letters (also for ``python -m bot dead-letters``)."""
    delivery = settings.delivery
    outbox = Outbox(client, known_ttl_s=int(delivery.useful_s) + KNOWN_MARGIN_S, useful_s=delivery.useful_s)
    return outbox, DeadLetters(client, ttl_s=delivery.dead_letter_ttl_s, outbox=outbox)


def install_keys(settings: Settings) -> None:
    """The process's keys: personal data at rest, and the keyed hash in Redis key names."""
    crypto.configure(settings.security.encryption_key.get_secret_value())
    redis_keys.configure(settings.security.redis_key_name_secret())


async def build_services(settings: Settings, *, pre_ping: bool = True) -> Services:
    """Every client and service, once. ``pre_ping=False`` for a worker (``handoff.db``)."""
    install_keys(settings)
    redis_client = connect_redis(settings.redis)
    line_client = line_api_client(line_api_base(settings), settings.line.channel_access_token.get_secret_value())
    database = settings.database
    db_engine = make_async_engine(
        database.url, connect_timeout_s=database.connect_timeout_s,
        statement_timeout_ms=database.statement_timeout_ms, pool_timeout_s=database.pool_timeout_s,
        pre_ping=pre_ping,
    )
    sessions = session_factory(db_engine)
    reads_engine = make_async_engine(
        database.url, connect_timeout_s=database.connect_timeout_s,
        statement_timeout_ms=database.statement_timeout_ms, pool_timeout_s=database.pool_timeout_s,
        pre_ping=pre_ping, autocommit=True,
    )
    catalogue = load_catalogue()
    directory = load_directory(settings.ward)
    # Embedded by default; with NLU_BACKEND=rasa, Rasa wrapped in the embedded fallback.
    nlu = settings.nlu
    understander = await build_understander(nlu.backend, rasa_url=nlu.rasa_url, rasa_timeout_s=nlu.rasa_timeout_s)
    state = StateStore(redis_client, settings.conversation.ttl_s)
    openings = CaseOpenings(redis_client)  # every case opening moves the "no open case" marker's counters
    conversation = Conversation(
        state=state, catalogue=catalogue, understander=understander,
        desk=HandoffDesk(directory=directory, sessions=sessions, openings=openings, reads=reads_engine),
    )
    conversation.load_languages()
    messenger = Messenger(AsyncMessagingApi(line_client), timeout_s=settings.line.timeout_s)
    takeover = TakeoverRegistry(redis_client)
    dispatcher = Dispatcher(
        messenger=messenger, conversation=conversation, state=state, catalogue=catalogue, client=redis_client,
        hash_key=settings.security.log_hash_key.get_secret_value(), understander=understander,
        # Staff takeover: the bot stays quiet while a person owns the conversation.
        takeover=StaffRelay(takeover, sessions, understander.danger),
        loading_after_s=settings.line.loading_after_s,
    )
    outbox, dead_letters = delivery_stores(settings, redis_client)
    labels = staff_labels()
    alerts = StaffAlerts(sessions=sessions, directory=directory, openings=openings,
                         summary=lambda words: str(labels["delivery"]["alert_summary"]).format(words=words))
    d = settings.delivery
    deliverer = Deliverer(
        client=redis_client, outbox=outbox, messenger=messenger, dead_letters=dead_letters, alert=alerts,
        settings=DeliveryTuning(
            reply_window_s=d.reply_token_window_s, backoff_base_s=d.backoff_base_s, backoff_cap_s=d.backoff_cap_s,
            lease_s=d.lease_s, alert_after_s=d.danger_alert_after_s, poll_s=d.poll_s,
        ),
        hash_of=dispatcher.hash_of,
    )
    staff_sender = StaffSender(client=redis_client, outbox=outbox, deliverer=deliverer, takeover=takeover)
    keep_effects_s = max(d.dead_letter_ttl_s, settings.webhook.dedupe_ttl_s) + KNOWN_MARGIN_S
    try:  # keys an older release named by the LINE id (bot/legacy_keys.py)
        await rename_legacy_keys(redis_client)
    except (redis.RedisError, OSError) as exc:  # Redis not up yet: the next start renames them
        log.warning("legacy_keys.unavailable", error=type(exc).__name__)
    return Services(
        settings=settings, redis=redis_client, line_client=line_client,
        http=httpx.AsyncClient(timeout=HTTP_TIMEOUT_S), db_engine=db_engine, sessions=sessions,
        catalogue=catalogue, directory=directory, understander=understander, takeover=takeover,
        intake=EventIntake(redis_client, settings.webhook.dedupe_ttl_s), dispatcher=dispatcher,
        outbox=outbox, dead_letters=dead_letters, deliverer=deliverer, staff_sender=staff_sender,
        maintenance=Maintenance(
            client=redis_client, outbox=outbox, dead_letters=dead_letters, sessions=sessions,
            sender=staff_sender, notice=language.text_in, alert=alerts, keep_effects_s=keep_effects_s,
        ),
        reminders=ReminderScheduler(
            sessions=sessions, outbox=outbox, deliverer=deliverer, conversation=conversation,
            directory=directory, interval_s=settings.worker.reminder_interval_s,
        ),
        reads_engine=reads_engine,
    )
