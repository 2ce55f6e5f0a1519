"""The FastAPI application: built by ``create_app``, wired in its one lifespan.

Clients, pools, services (the staff side's too) and background loops are created when the
app starts, through the composition root (bot/services.py), never at import time, so tests
can build an app per configuration.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from bot import ops, webhook
from bot.background import Background
from bot.heap import freeze_startup_objects
from bot.logs import configure_logging, get_logger
from bot.security import harden
from bot.services import build_services
from bot.staff import mount_staff, urgent_notifier
from bot.staff.deps import StaffServices
from bot.worker import default_consumer_name
from settings import Settings, get_settings

log = get_logger("bot.app")


def create_app(settings: Settings | None = None, *, freeze_heap: bool = False) -> FastAPI:
    """``freeze_heap``: for a server process (``python -m bot serve``), exempt what start-up
    built from garbage collection (bot.heap); tests that build many apps leave it off."""
    settings = settings or get_settings()
    configure_logging(settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services = await build_services(settings)
        staff = StaffServices.build(settings.staff, services)
        state = app.state
        state.services, state.staff = services, staff
        state.intake, state.db_engine, state.nlu_ready = services.intake, services.db_engine, services.nlu_ready
        webhook.configure(
            state, channel_secret=settings.line.channel_secret.get_secret_value(),
            max_body_bytes=settings.webhook.max_body_bytes, event_max_age_s=settings.webhook.dedupe_ttl_s,
        )
        consumers = [f"{default_consumer_name()}-web{i}" for i in range(settings.web.in_process_workers)]
        background = Background([*services.loops(consumers), urgent_notifier(staff)])
        background.start()
        frozen = freeze_startup_objects() if freeze_heap else 0
        log.info("app.started", workers=len(consumers), embedded_redis=settings.redis.embedded, frozen_objects=frozen)
        try:
            yield
        finally:
            for failure in await background.stop():
                log.error("app.loop_failed", error=type(failure).__name__)
            await services.aclose()

    # Documentation is served by bot.security, to DEV_MODE or a signed-in admin only.
    app = FastAPI(title="tsunagu", version="0.1.0", lifespan=lifespan,
                  docs_url=None, redoc_url=None, openapi_url=None)
    harden(app, settings)
    app.include_router(webhook.router)
    app.include_router(ops.router)
    mount_staff(app)  # staff inbox, statistics and JSON API (bot/staff)
    if settings.dev_mode:
        from bot.dev import mount_dev

        mount_dev(app, settings)
    return app
