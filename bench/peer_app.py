"""The peer: a LINE bot in the usual shape, to measure tsunagu against (issue 13).

This is the shape of line-bot-sdk v3's FastAPI example and of the public Rasa↔LINE
connectors: the webhook handler verifies the signature, parses the events, calls NLU and
replies, all inside the request; LINE's webhook waits for all of it. NLU is the same as
tsunagu's: the Rasa service over HTTP when ``NLU_BACKEND=rasa``, else the same embedded
understander. One process, as the example runs.

    PYTHONPATH=. LINE_CHANNEL_SECRET=… LINE_CHANNEL_ACCESS_TOKEN=… LINE_API_BASE_URL=http://127.0.0.1:8090 \\
        .venv/bin/python bench/peer_app.py --port 8001

Run as a file (not ``-m``) so that ``--repo`` can point ``PYTHONPATH`` at another checkout.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import yaml
from fastapi import FastAPI, HTTPException, Request
from linebot.v3 import WebhookParser
from linebot.v3.exceptions import InvalidSignatureError
from linebot.v3.messaging import (
    AsyncApiClient,
    AsyncMessagingApi,
    Configuration,
    ReplyMessageRequest,
    TextMessage,
)
from linebot.v3.webhooks import MessageEvent, PostbackEvent, TextMessageContent

from flows.catalogue import MissingMessage, load_catalogue
from flows.definition import FLOWS_DIR
from nlu.pipeline import build_understander

THANKS = "ありがとうございます。担当の窓口をご案内します。"


def acknowledgements(flows_dir: Path = FLOWS_DIR) -> dict[str, str]:
    """Situation intent -> the acknowledgement its flow opens with (tsunagu's own words)."""
    catalogue = load_catalogue()
    found: dict[str, str] = {}
    for file in sorted(flows_dir.glob("*.yml")):
        flow = yaml.safe_load(file.read_text(encoding="utf-8"))
        try:
            text = catalogue.text(flow["acknowledge"])
        except (MissingMessage, KeyError):
            continue
        for situation in flow.get("situations", []):
            found[situation] = text
    return found


def create_app() -> FastAPI:
    settings = SimpleNamespace(
        nlu_backend=os.environ.get("NLU_BACKEND", "embedded"),
        rasa_url=os.environ.get("RASA_URL", "http://127.0.0.1:5005"),
        rasa_timeout_s=float(os.environ.get("RASA_TIMEOUT_S", "0.5")),
    )
    parser = WebhookParser(os.environ["LINE_CHANNEL_SECRET"])
    configuration = Configuration(
        host=os.environ.get("LINE_API_BASE_URL", "https://api.line.me"),
        access_token=os.environ["LINE_CHANNEL_ACCESS_TOKEN"],
    )
    state: dict[str, Any] = {}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state["nlu"] = await build_understander(
            settings.nlu_backend, rasa_url=settings.rasa_url, rasa_timeout_s=settings.rasa_timeout_s
        )
        state["acks"] = acknowledgements()
        async with AsyncApiClient(configuration) as client:
            state["line"] = AsyncMessagingApi(client)
            yield
        closer = getattr(state["nlu"], "aclose", None)
        if closer is not None:
            await closer()

    app = FastAPI(lifespan=lifespan)

    @app.post("/callback")
    async def callback(request: Request) -> str:
        signature = request.headers.get("X-Line-Signature", "")
        body = (await request.body()).decode()
        try:
            events = parser.parse(body, signature)
        except InvalidSignatureError:
            raise HTTPException(status_code=400, detail="Invalid signature") from None
        line: AsyncMessagingApi = state["line"]
        for event in events:
            if isinstance(event, MessageEvent) and isinstance(event.message, TextMessageContent):
                understanding = await state["nlu"].understand(event.message.text)
                answer = state["acks"].get(understanding.intent, THANKS)
            elif isinstance(event, PostbackEvent):
                answer = THANKS
            else:
                continue
            await line.reply_message(
                ReplyMessageRequest(reply_token=event.reply_token, messages=[TextMessage(text=answer)])
            )
        return "OK"

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=8001)
    args = parser.parse_args()
    uvicorn.run(create_app(), host="127.0.0.1", port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
