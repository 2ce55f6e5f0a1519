"""The LINE push the staff inbox uses to write to a resident (injected into handoff.inbox).

``handoff`` never imports the LINE SDK; this adapter turns its plain call into a push with
an idempotent retry key, through the same Messenger (and retries) the bot uses.
"""

from __future__ import annotations

from linebot.v3.messaging import AsyncApiClient, AsyncMessagingApi, TextMessage

from bot.messenger import Messenger
from bot.messenger import retry_key as line_retry_key


class LinePusher:
    def __init__(self, line_client: AsyncApiClient) -> None:
        self._messenger = Messenger(AsyncMessagingApi(line_client))

    async def __call__(self, line_user_id: str, text: str, *, retry_key: str) -> None:
        await self._messenger.push(line_user_id, [TextMessage(text=text)], _uuid_key(retry_key))


def _uuid_key(seed: str) -> str:
    # LINE wants a UUID in X-Line-Retry-Key; the same seed always gives the same key.
    return line_retry_key(seed, 0)
