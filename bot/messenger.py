"""Outgoing LINE calls: reply, fall back to push, retry, loading animation.

A reply token is free but single-use and short-lived; when LINE rejects it (expired,
used, or the event came from a reclaimed backlog) the same messages go by push with an
``X-Line-Retry-Key`` derived from the event, so a retried or re-handled push is
delivered once (LINE answers 409 to a key it has already accepted).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import aiohttp
from linebot.v3.messaging import (
    AsyncMessagingApi,
    Message,
    PushMessageRequest,
    ReplyMessageRequest,
    ShowLoadingAnimationRequest,
)
from linebot.v3.messaging.exceptions import ApiException

from bot.logs import get_logger

log = get_logger("bot.messenger")
MAX_MESSAGES_PER_CALL = 5
_RETRY_NAMESPACE = uuid.UUID("6f1c7d1e-8a51-4f7b-9d2e-3c1b1f0a7e55")


class DeliveryFailed(Exception):
    """LINE refused the messages for good (not a transient error)."""


def retry_key(seed: str, part: int) -> str:
    """Same event, same part -> same key, across retries, workers and restarts."""
    return str(uuid.uuid5(_RETRY_NAMESPACE, f"{seed}:{part}"))


def _is_reply_token_error(exc: ApiException) -> bool:
    if exc.status != 400:
        return False
    try:
        body = json.loads(exc.body or "{}")
    except (TypeError, ValueError):
        return False
    return "reply token" in str(body.get("message", "")).lower()


class Messenger:
    def __init__(
        self, api: AsyncMessagingApi, *, attempts: int = 4, base_delay_s: float = 0.25
    ) -> None:
        self._api = api
        self._attempts = attempts
        self._base_delay_s = base_delay_s

    async def send(
        self,
        *,
        to: str | None,
        reply_token: str | None,
        messages: Sequence[Message],
        seed: str,
    ) -> str:
        """Deliver ``messages``; returns "reply" or "push" (how the first part went)."""
        parts = [
            list(messages[i : i + MAX_MESSAGES_PER_CALL])
            for i in range(0, len(messages), MAX_MESSAGES_PER_CALL)
        ]
        if not parts:
            return "none"
        how = "push"
        first, rest = parts[0], parts[1:]
        if reply_token:
            try:
                await self._with_retries(
                    lambda: self._api.reply_message_with_http_info(
                        ReplyMessageRequest(replyToken=reply_token, messages=first)
                    )
                )
                how = "reply"
            except ApiException as exc:
                if not _is_reply_token_error(exc) or not to:
                    raise DeliveryFailed(f"reply refused: {exc.status}") from exc
                log.info("messenger.reply_token_rejected")
                await self.push(to, first, retry_key(seed, 0))
        elif to:
            await self.push(to, first, retry_key(seed, 0))
        else:
            raise DeliveryFailed("no reply token and no recipient")
        for index, part in enumerate(rest, start=1):
            if not to:
                raise DeliveryFailed("more than five messages need a recipient for push")
            await self.push(to, part, retry_key(seed, index))
        return how

    async def push(self, to: str, messages: Sequence[Message], key: str) -> None:
        try:
            await self._with_retries(
                lambda: self._api.push_message_with_http_info(
                    PushMessageRequest(to=to, messages=list(messages)), x_line_retry_key=key
                )
            )
        except ApiException as exc:
            if exc.status == 409:  # this retry key was already accepted: delivered
                log.info("messenger.push_already_accepted")
                return
            raise DeliveryFailed(f"push refused: {exc.status}") from exc

    async def show_loading(self, chat_id: str, seconds: int = 5) -> None:
        """Best effort: the animation is a courtesy, never a reason to fail an event."""
        try:
            await self._api.show_loading_animation_with_http_info(
                ShowLoadingAnimationRequest(chatId=chat_id, loadingSeconds=seconds)
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
        calling = False

        async def later() -> None:
            nonlocal calling
            await asyncio.sleep(after_s)
            calling = True
            await self.show_loading(chat_id)

        timer = asyncio.create_task(later())
        try:
            yield
        finally:
            if not calling:
                timer.cancel()
            # A call already made is waited for, so it reaches LINE before the answer.
            await asyncio.gather(timer, return_exceptions=True)

    async def _with_retries(self, call):  # type: ignore[no-untyped-def]
        delay = self._base_delay_s
        for attempt in range(1, self._attempts + 1):
            try:
                return await call()
            except ApiException as exc:
                transient = exc.status == 429 or (exc.status or 0) >= 500
                if not transient or attempt == self._attempts:
                    raise
                wait = _retry_after(exc) or delay
                log.info("messenger.retry", status=exc.status, attempt=attempt)
            except (TimeoutError, OSError, aiohttp.ClientError) as exc:
                if attempt == self._attempts:
                    raise DeliveryFailed(f"LINE unreachable: {type(exc).__name__}") from exc
                wait = delay
                log.info("messenger.retry", error=type(exc).__name__, attempt=attempt)
            await asyncio.sleep(wait)
            delay *= 2
        raise AssertionError("unreachable")


def _retry_after(exc: ApiException) -> float | None:
    headers = exc.headers or {}
    value = headers.get("Retry-After") or headers.get("retry-after")
    try:
        return min(float(value), 30.0) if value else None
    except ValueError:
        return None
