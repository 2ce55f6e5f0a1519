"""The benchmarks' side of the fake Messaging API's control endpoints (bot.dev.line_control)."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import httpx


@dataclass(frozen=True)
class Delivered:
    """One call that reached the fake and was delivered: a reply or a push."""

    seq: int
    kind: str
    chat: str
    at: float  # epoch seconds, the fake's clock (same machine as the load generator)
    retry_key: str | None
    reply_token: str | None
    texts: tuple[str, ...]
    buttons: tuple[dict[str, str], ...]

    @classmethod
    def from_report(cls, row: dict[str, Any]) -> Delivered:
        return cls(row["seq"], row["kind"], row["chat"], row["at"], row["retry_key"],
                   row["reply_token"], tuple(row["texts"]), tuple(row["buttons"]))


class LineControl:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self._http = httpx.AsyncClient(base_url=base_url, timeout=30)
        self._seen: list[Delivered] = []
        self._by_chat: dict[str, list[Delivered]] = defaultdict(list)
        self._last = 0
        self._fetched_at = 0.0
        self._fetching = asyncio.Lock()

    async def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if (await self._http.get("/_control/stats")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)
        raise RuntimeError("the fake Messaging API did not come up")

    async def _post(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = await self._http.post(path, json=body or {})
        response.raise_for_status()
        return dict(response.json())

    async def fail(self, status: int, seconds: float, retry_after: int | None = None) -> None:
        await self._post("/_control/fail", {"status": status, "seconds": seconds, "retry_after": retry_after})

    async def slow(self, delay: float, seconds: float) -> None:
        await self._post("/_control/slow", {"delay": delay, "seconds": seconds})

    async def refuse(self, seconds: float) -> None:
        await self._post("/_control/refuse", {"seconds": seconds})

    async def hang(self, seconds: float) -> None:
        await self._post("/_control/hang", {"seconds": seconds})

    async def clear(self) -> None:
        await self._post("/_control/clear")
        self._seen, self._last = [], (await self.stats())["deliveries"]
        self._by_chat.clear()

    async def stats(self) -> dict[str, Any]:
        response = await self._http.get("/_control/stats")
        response.raise_for_status()
        return dict(response.json())

    async def register_tokens(self, tokens: list[tuple[str, str, float]]) -> None:
        """Reply tokens (token, chat, valid from epoch) the load generator put in its events."""
        for i in range(0, len(tokens), 5000):
            rows = [{"token": t, "chat": c, "issued_at": at} for t, c, at in tokens[i : i + 5000]]
            await self._post("/_control/reply_tokens", {"tokens": rows})

    async def deliveries(self) -> list[Delivered]:
        """Every delivery since the last ``clear`` (fetched incrementally)."""
        await self._fetch()
        return list(self._seen)

    async def to_chat(self, chat: str, *, max_age_s: float = 0.25) -> list[Delivered]:
        """The deliveries to one chat; many callers share one fetch every ``max_age_s``."""
        async with self._fetching:
            if time.monotonic() - self._fetched_at > max_age_s:
                await self._fetch()
        return list(self._by_chat.get(chat, ()))

    async def _fetch(self) -> None:
        response = await self._http.get("/_control/deliveries", params={"after": self._last})
        response.raise_for_status()
        body = response.json()
        for row in body["deliveries"]:
            delivered = Delivered.from_report(row)
            self._seen.append(delivered)
            self._by_chat[delivered.chat].append(delivered)
        self._last = body["last"]
        self._fetched_at = time.monotonic()

    async def staff_alerts(self) -> list[dict[str, Any]]:
        response = await self._http.get("/_control/staff_alerts")
        response.raise_for_status()
        return list(response.json())

    async def aclose(self) -> None:
        await self._http.aclose()
