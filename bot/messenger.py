"""Single Messaging API calls, each with a verdict the outbox can act on.

The outbox (``bot.delivery``) decides when to call, retries and resolves doubt; this module
makes one call and says how it went: delivered, the reply token refused, a transient
failure (with whether the request may have reached LINE), or a permanent refusal. It also
runs LINE's loading animation, a courtesy that never fails an event.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp.helpers import get_env_proxy_for_url
from linebot.v3.messaging import (
    AsyncApiClient,
    AsyncMessagingApi,
    Configuration,
    ShowLoadingAnimationRequest,
)
from linebot.v3.messaging.exceptions import ApiException
from yarl import URL

from bot.logs import get_logger

log = get_logger("bot.messenger")
RETRY_AFTER_CAP_S = 300.0

# Verdicts of one call.
DELIVERED = "delivered"
TOKEN_REFUSED = "token_refused"  # 400 "Invalid reply token": used, expired or unknown
TRANSIENT = "transient"  # 5xx, 429, 401, timeouts, connection errors: try again later
PERMANENT = "permanent"  # 400 (not the token), 403 blocked, 404: will keep failing


@dataclass(frozen=True)
class CallResult:
    verdict: str
    status: int | None = None
    # For TRANSIENT: False when the request certainly did not reach LINE (connection
    # refused, 429), None when it may have (timeout, reset, 5xx).
    reached: bool | None = None
    retry_after_s: float | None = None
    detail: str = ""


class JsonBody(dict[str, Any]):
    """A request body that is already the Messaging API's JSON: plain dicts, lists, strings,
    numbers, booleans and None, as read back from the outbox (``bot.render`` built it and
    ``tests/bot/test_render.py`` checks it against the SDK's models)."""


class PreparedApiClient(AsyncApiClient):  # type: ignore[misc]
    """line-bot-sdk's client, which copies a ``JsonBody`` as it is instead of walking it.

    ``sanitize_for_serialization`` turns models into dicts, recursively, and copies every
    dict and list of a body that is plain JSON already, about 25 calls per reply in Python
    (bench/profile_handling.py); for such a body the copy equals the body. Anything else
    (the SDK's own models, headers) goes through the SDK's walk as before."""

    def sanitize_for_serialization(self, obj: Any) -> Any:
        if type(obj) is JsonBody:
            return obj
        return super().sanitize_for_serialization(obj)


def line_api_client(host: str, access_token: str) -> AsyncApiClient:
    """line-bot-sdk's client, with the environment's proxy read once.

    The SDK opens its aiohttp session with ``trust_env=True``, so every call looked up the
    proxy and ``~/.netrc`` in a thread (two thread hops per reply or push, a measurable share
    of a worker's CPU, bench/profile_handling.py). Here the proxy is looked up at start-up and
    given to the SDK, and the session, on the SDK's own connector, does not look again
    (``~/.netrc`` could not apply: the SDK sends its own Authorization header)."""
    configuration = Configuration(host=host, access_token=access_token)
    try:
        proxy, proxy_auth = get_env_proxy_for_url(URL(host))
        configuration.proxy = str(proxy)
        if proxy_auth is not None:
            configuration.proxy_headers = {"Proxy-Authorization": proxy_auth.encode()}
    except LookupError:
        pass  # no proxy for LINE in the environment
    client = PreparedApiClient(configuration)
    rest = client.rest_client
    sdk_session: aiohttp.ClientSession = rest.pool_manager
    connector = sdk_session.connector
    sdk_session.detach()  # the connector goes on in the session below
    rest.pool_manager = aiohttp.ClientSession(connector=connector, trust_env=False)
    return client


def _message_of(exc: ApiException) -> str:
    try:
        return str(json.loads(exc.body or "{}").get("message", ""))
    except (TypeError, ValueError):
        return ""


def _retry_after(exc: ApiException) -> float | None:
    headers = exc.headers or {}
    value = headers.get("Retry-After") or headers.get("retry-after")
    try:
        return min(max(float(value), 0.0), RETRY_AFTER_CAP_S) if value else None
    except ValueError:
        return None


def judge(exc: BaseException) -> CallResult:
    """The verdict on a failed call."""
    if isinstance(exc, ApiException):
        status = exc.status or 0
        message = _message_of(exc)
        if status == 409:  # the retry key was accepted before: that content went out
            return CallResult(DELIVERED, status, detail="retry key already accepted")
        if status == 400 and "reply token" in message.lower():
            return CallResult(TOKEN_REFUSED, status, detail=message[:200])
        if status == 429:  # refused before processing: nothing went out
            return CallResult(TRANSIENT, status, reached=False, retry_after_s=_retry_after(exc), detail=message[:200])
        if status >= 500 or status == 401 or status == 0:
            # 401: our token is wrong or was rotated; an operator fixes it, the answer waits.
            return CallResult(TRANSIENT, status, reached=None, retry_after_s=_retry_after(exc), detail=message[:200])
        return CallResult(PERMANENT, status, detail=message[:200])
    if isinstance(exc, aiohttp.ClientConnectorError):
        return CallResult(TRANSIENT, reached=False, detail=type(exc).__name__)
    if isinstance(exc, TimeoutError | OSError | aiohttp.ClientError):
        return CallResult(TRANSIENT, reached=None, detail=type(exc).__name__)
    raise exc


# The two calls an answer makes, as line-bot-sdk's generated ``reply_message`` and
# ``push_message`` make them (path, headers, bearer auth), through the same client.
REPLY_PATH = "/v2/bot/message/reply"
PUSH_PATH = "/v2/bot/message/push"
_JSON_HEADERS = {"Accept": "application/json", "Content-Type": "application/json"}


class Messenger:
    """Replies and pushes through line-bot-sdk's ``AsyncApiClient.call_api``.

    The generated ``reply_message_with_http_info`` first validates its arguments with
    pydantic and then parses LINE's answer into response models that nobody reads: about a
    third of the SDK's CPU per answer (bench/profile_handling.py). The messages are already
    the API's JSON, built and checked against the SDK's models once when the answer was
    committed (``bot.render``, ``tests/bot/test_render.py``), so the call goes one level
    lower, to the same client, with the same path, headers and auth. A non-2xx status still
    raises the SDK's ``ApiException``, which ``judge`` reads as before."""

    def __init__(self, api: AsyncMessagingApi, *, timeout_s: float = 10.0) -> None:
        self._api = api
        self._client: AsyncApiClient = api.api_client
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)

    async def reply(self, reply_token: str, messages: Sequence[dict[str, Any]]) -> CallResult:
        return await self._post(REPLY_PATH, JsonBody(replyToken=reply_token, messages=list(messages), notificationDisabled=False))

    async def push(self, to: str, messages: Sequence[dict[str, Any]], retry_key: str) -> CallResult:
        return await self._post(PUSH_PATH, JsonBody(to=to, messages=list(messages), notificationDisabled=False),
                                {"X-Line-Retry-Key": retry_key})

    async def _post(self, path: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> CallResult:
        try:
            await self._client.call_api(
                path, "POST", header_params={**_JSON_HEADERS, **(headers or {})}, body=body,
                response_types_map={}, auth_settings=["Bearer"], _request_timeout=self._timeout,
            )
        except (ApiException, TimeoutError, OSError, aiohttp.ClientError) as exc:
            return judge(exc)
        return CallResult(DELIVERED, 200)

    async def show_loading(self, chat_id: str, seconds: int = 5) -> None:
        """Best effort: the animation is a courtesy, never a reason to fail an event."""
        try:
            await self._api.show_loading_animation_with_http_info(
                ShowLoadingAnimationRequest(chatId=chat_id, loadingSeconds=seconds),
                _request_timeout=aiohttp.ClientTimeout(total=2),
            )
        except ApiException as exc:
            log.info("messenger.loading_failed", status=exc.status)
        except (TimeoutError, OSError, aiohttp.ClientError) as exc:
            log.info("messenger.loading_failed", error=type(exc).__name__)

    @asynccontextmanager
    async def loading_while_slow(self, chat_id: str | None, after_s: float) -> AsyncIterator[None]:
        """Show the loading animation if the body takes longer than ``after_s`` (at once
        when ``after_s`` is 0). Wrap the work, not the sending: an answer that is ready
        sooner goes out without the animation, and the animation never starts after it."""
        if not chat_id:
            yield
            return
        if after_s <= 0:
            await self.show_loading(chat_id)
            yield
            return
        # A timer, not a task sleeping until it is cancelled: most bodies end long before it
        # fires, and a task per message was a measurable share of a worker's CPU per event
        # (bench/profile_handling.py, as for bot.leases).
        calling: asyncio.Task[None] | None = None

        def call() -> None:
            nonlocal calling
            calling = asyncio.ensure_future(self.show_loading(chat_id))

        timer = asyncio.get_running_loop().call_later(after_s, call)
        try:
            yield
        finally:
            timer.cancel()
            if calling is not None:
                # A call already made is waited for, so it reaches LINE before the answer.
                await asyncio.gather(calling, return_exceptions=True)
