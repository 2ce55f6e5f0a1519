"""Development-only pieces: a local Messaging API and the LINE simulator page.

Mounted only when ``DEV_MODE`` is on; production never serves them.
"""

from __future__ import annotations

from fastapi import FastAPI

from bot.dev.line_api import FakeLineApi, build_router
from bot.dev.richmenu_api import build_richmenu_router
from settings import Settings


def mount_dev(app: FastAPI, settings: Settings) -> None:
    fake = FakeLineApi(settings.line.channel_access_token.get_secret_value())
    app.state.fake_line = fake
    app.include_router(build_router(fake), prefix="/dev/line-api", include_in_schema=False)
    app.include_router(
        build_richmenu_router(fake.rich_menus, fake.access_token), prefix="/dev/line-api", include_in_schema=False
    )
    try:
        from bot.dev.simulator import build_simulator_router
    except ImportError:  # simulator page not built yet
        return
    app.include_router(build_simulator_router(fake, settings), include_in_schema=False)
