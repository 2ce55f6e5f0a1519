"""Debian's Chromium, launched the one way this machine allows (never a downloaded build;
no background networking, which the closed network would refuse)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_available() -> bool:
    return Path(CHROMIUM).exists()


async def launch(playwright: Any) -> Any:
    """A headless Chromium with a fresh temporary profile."""
    return await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


def browser_marks() -> list[Any]:
    """The marks of a module of browser tests that share one event loop per module."""
    return [
        pytest.mark.browser,
        pytest.mark.asyncio(loop_scope="module"),
        pytest.mark.skipif(not chromium_available(), reason=f"{CHROMIUM} is missing"),
    ]
