"""One composition root: the app's one lifespan builds every client once and shares it."""

from __future__ import annotations

from typing import Any

from bot.app import create_app
from tests.conftest import make_settings


async def test_the_staff_side_shares_what_the_root_built_and_shutdown_closes_it(
    redis_client: Any, fake_line: Any, clean_database: str
) -> None:
    _fake, fake_url = fake_line
    app = create_app(make_settings(line_api_base_url=fake_url, in_process_workers=0))
    async with app.router.lifespan_context(app):
        services, staff = app.state.services, app.state.staff
        assert staff.sessions is services.sessions
        assert staff.takeover is services.takeover
        assert staff.sender is services.staff_sender
        assert staff.directory is services.directory
        assert staff.catalogue is services.catalogue
        assert staff.http is services.http
        assert app.state.intake is services.intake and app.state.db_engine is services.db_engine
        assert staff.settings is services.settings.staff
        assert await services.nlu_ready()
    assert services.http.is_closed
