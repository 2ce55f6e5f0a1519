"""The Rasa NLU server (``scripts/rasa-serve.sh``) as an ``IntentClassifier``.

Rasa runs in its own Python 3.10 venv, so the bot reaches it over HTTP only.  Every way of
not getting an answer raises ``RasaUnavailable``, the one thing a fallback has to catch.
"""

from __future__ import annotations

from typing import Any, Literal

import httpx

from nlu.contract import Entity, IntentRanking

DEFAULT_RASA_URL = "http://127.0.0.1:5005"

UnavailableReason = Literal["timeout", "connect", "server_error", "no_model", "bad_response"]


class RasaUnavailable(Exception):
    """Rasa gave no usable answer; ``reason`` is stable enough to log and count."""

    def __init__(self, reason: UnavailableReason, detail: str) -> None:
        super().__init__(f"rasa unavailable ({reason}): {detail}")
        self.reason: UnavailableReason = reason
        self.detail = detail


class RasaClassifier:
    """``POST /model/parse`` on one reused connection pool; see ``nlu/contract.py``."""

    name = "rasa"

    def __init__(
        self,
        base_url: str = DEFAULT_RASA_URL,
        *,
        timeout: float = 2.0,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        # A client handed in belongs to the caller (e.g. the app's lifespan) and is not closed.
        self._owns_client = client is None
        self._client = client or httpx.AsyncClient(
            timeout=httpx.Timeout(timeout),
            limits=httpx.Limits(max_keepalive_connections=8, keepalive_expiry=30.0),
        )

    async def classify(self, text: str) -> IntentRanking:
        payload = await self._request("POST", "/model/parse", json={"text": text})
        return parse_response(payload)

    async def ready(self) -> bool:
        """True when the server answers and has a model loaded; never raises."""
        try:
            status = await self._request("GET", "/status")
        except RasaUnavailable:
            return False
        return isinstance(status, dict) and bool(status.get("model_file"))

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()

    async def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        url = self.base_url + path
        try:
            response = await self._client.request(method, url, timeout=self.timeout, **kwargs)
        except httpx.TimeoutException as exc:
            raise RasaUnavailable("timeout", f"{method} {url} after {self.timeout}s") from exc
        except httpx.TransportError as exc:
            raise RasaUnavailable("connect", f"{method} {url}: {exc!r}") from exc
        # Rasa answers 409 Conflict while no model is loaded.
        if response.status_code == 409:
            raise RasaUnavailable("no_model", f"{method} {url}: {response.text[:200]}")
        if response.status_code >= 500:
            raise RasaUnavailable("server_error", f"{method} {url}: HTTP {response.status_code}")
        if response.status_code != 200:
            raise RasaUnavailable("bad_response", f"{method} {url}: HTTP {response.status_code}")
        try:
            return response.json()
        except ValueError as exc:
            raise RasaUnavailable("bad_response", f"{method} {url}: body is not JSON") from exc


def parse_response(payload: Any) -> IntentRanking:
    """Map Rasa's parse result to ``IntentRanking``: ``intent_ranking`` best first."""
    if not isinstance(payload, dict):
        raise RasaUnavailable("bad_response", "parse result is not an object")
    ranking = [
        (str(item["name"]), float(item.get("confidence") or 0.0))
        for item in payload.get("intent_ranking") or []
        if isinstance(item, dict) and item.get("name")
    ]
    if not ranking:
        # Some pipelines (or a ranking_length of 0) report only the top intent.
        intent = payload.get("intent") or {}
        if not intent.get("name"):
            raise RasaUnavailable("bad_response", "parse result names no intent")
        ranking = [(str(intent["name"]), float(intent.get("confidence") or 0.0))]
    ranking.sort(key=lambda pair: pair[1], reverse=True)
    entities = [
        Entity(
            type=str(item["entity"]),
            value=str(item.get("value", "")),
            start=int(item["start"]),
            end=int(item["end"]),
        )
        for item in payload.get("entities") or []
        if isinstance(item, dict) and {"entity", "start", "end"} <= item.keys()
    ]
    # Rasa lists entities extractor by extractor; readers expect them in text order.
    entities.sort(key=lambda entity: (entity.start, entity.end))
    return IntentRanking(ranking=ranking, entities=entities)
