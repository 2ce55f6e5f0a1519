"""Rasa first, the embedded model when Rasa is down or slow: the resident never notices.

``FallbackClassifier`` gives Rasa ``budget_s`` per message.  On ``RasaUnavailable``, on a
timeout, or on any other error it answers with the embedded classifier and logs
``nlu.rasa_fallback``.  After a failure it skips Rasa for ``cooldown_s`` so that a hung server
does not cost every message the whole budget.
"""

from __future__ import annotations

import asyncio
import time

import structlog

from nlu.contract import IntentClassifier, IntentRanking

log = structlog.get_logger("nlu")


class FallbackClassifier:
    name = "rasa"

    def __init__(
        self,
        primary: IntentClassifier,
        fallback: IntentClassifier,
        *,
        budget_s: float = 0.5,
        cooldown_s: float = 5.0,
    ) -> None:
        self.primary = primary
        self.fallback = fallback
        self.budget_s = budget_s
        self.cooldown_s = cooldown_s
        self._skip_primary_until = 0.0
        self.fallbacks = 0  # messages answered by the fallback, for metrics and tests

    async def classify(self, text: str) -> IntentRanking:
        ranking, _ = await self.classify_with_source(text)
        return ranking

    async def classify_with_source(self, text: str) -> tuple[IntentRanking, str]:
        """The ranking and the name of the backend that produced it."""
        now = time.monotonic()
        if now < self._skip_primary_until:
            self.fallbacks += 1
            return await self.fallback.classify(text), self.fallback.name
        try:
            ranking = await asyncio.wait_for(self.primary.classify(text), self.budget_s)
            return ranking, self.primary.name
        except TimeoutError:
            reason, detail = "timeout", f"no answer within {self.budget_s}s"
        except Exception as exc:  # noqa: BLE001 - any failure of Rasa falls back
            reason = str(getattr(exc, "reason", "")) or type(exc).__name__
            detail = str(exc)
        elapsed_ms = round((time.monotonic() - now) * 1000, 1)
        self._skip_primary_until = time.monotonic() + self.cooldown_s
        self.fallbacks += 1
        log.warning("nlu.rasa_fallback", reason=reason, detail=detail[:200], elapsed_ms=elapsed_ms)
        return await self.fallback.classify(text), self.fallback.name

    async def ready(self) -> bool:
        """Ready whenever the fallback is: the bot can answer either way."""
        return await self.fallback.ready()

    async def primary_ready(self) -> bool:
        return await self.primary.ready()

    async def aclose(self) -> None:
        await self.primary.aclose()
        await self.fallback.aclose()
