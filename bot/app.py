"""The FastAPI application: built by ``create_app``, wired in its lifespan.

Clients, pools and workers are created when the app starts, never at import time, so
tests can build an app per configuration.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from bot import ops, webhook
from bot.config import Settings, get_settings
from bot.heap import freeze_startup_objects
from bot.logs import configure_logging, get_logger
from bot.security import harden
from bot.services import build_services
from bot.staff import mount_staff
from bot.worker import default_consumer_name

log = get_logger("bot.app")


def create_app(settings: Settings | None = None, *, freeze_heap: bool = False) -> FastAPI:
    """``freeze_heap``: for a server process (``python -m bot serve``), exempt what start-up
    built from garbage collection (bot.heap); tests that build many apps leave it off."""
    settings = settings or get_settings()
    configure_logging(settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services = await build_services(settings)
        app.state.services = services
        app.state.intake = services.intake
        app.state.db_engine = services.db_engine
        app.state.nlu_ready = services.nlu_ready
        webhook.configure(
            app.state, channel_secret=settings.line_channel_secret.get_secret_value(),
            max_body_bytes=settings.webhook_max_body_bytes, event_max_age_s=settings.dedupe_ttl_s,
        )
        workers = [
            services.worker(f"{default_consumer_name()}-web{i}")
            for i in range(settings.in_process_workers)
        ]
        tasks = [asyncio.create_task(w.run()) for w in workers]
        # Outbox retries and callback reminders run beside the workers (only where they run);
        # housekeeping (delivery records, gauges for /metrics) runs in every process.
        reminders = services.reminders if workers else None
        if workers:
            tasks.append(asyncio.create_task(services.deliverer.run()))
        if reminders is not None:
            tasks.append(asyncio.create_task(reminders.run()))
        tasks.append(asyncio.create_task(services.maintenance.run()))
        frozen = freeze_startup_objects() if freeze_heap else 0
        log.info("app.started", workers=len(workers), embedded_redis=settings.embedded_redis, frozen_objects=frozen)
        try:
            yield
        finally:
            for w in workers:
                w.stop()
            if reminders is not None:
                reminders.stop()
            services.deliverer.stop()
            services.maintenance.stop()
            await asyncio.gather(*tasks, return_exceptions=True)
            await services.aclose()

    # Documentation is served by bot.security, to DEV_MODE or a signed-in admin only.
    app = FastAPI(title="tsunagu", version="0.1.0", lifespan=lifespan,
                  docs_url=None, redoc_url=None, openapi_url=None)
    harden(app, settings)
    app.include_router(webhook.router)
    app.include_router(ops.router)
    mount_staff(app, settings)  # staff inbox, statistics and JSON API (bot/staff)
    if settings.dev_mode:
        from bot.dev import mount_dev

        mount_dev(app, settings)
    return app
