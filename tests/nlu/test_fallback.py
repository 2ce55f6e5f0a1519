"""Rasa down or slow -> the embedded model answers, against real loopback HTTP servers."""

from __future__ import annotations

import asyncio

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from structlog.testing import capture_logs

from nlu.embedded import EmbeddedClassifier
from nlu.fallback import FallbackClassifier
from nlu.model import EmbeddedModel
from nlu.pipeline import build_understander
from nlu.rasa_client import RasaClassifier
from tests.support.servers import free_port, serve


def fake_rasa(delay_s: float = 0.0, status: int = 200) -> Starlette:
    """A stand-in Rasa server: answers /model/parse with intent 'greet' after ``delay_s``."""

    async def parse(request: Request) -> JSONResponse:
        body = await request.json()
        await asyncio.sleep(delay_s)
        ranking = [{"name": "greet", "confidence": 0.97}, {"name": "debt", "confidence": 0.03}]
        payload = {"text": body["text"], "intent": ranking[0], "intent_ranking": ranking}
        return JSONResponse(payload, status_code=status)

    async def status_route(request: Request) -> JSONResponse:
        return JSONResponse({"model_file": "test.tar.gz"})

    return Starlette(
        routes=[Route("/model/parse", parse, methods=["POST"]), Route("/status", status_route)]
    )


def _fallback(url: str, model: EmbeddedModel, budget_s: float = 0.3) -> FallbackClassifier:
    return FallbackClassifier(
        RasaClassifier(url, timeout=2.0),
        EmbeddedClassifier(model),
        budget_s=budget_s,
        cooldown_s=0.0,
    )


async def test_rasa_answers_when_it_is_up(embedded_model: EmbeddedModel) -> None:
    async with serve(fake_rasa()) as url:
        classifier = _fallback(url, embedded_model)
        ranking, source = await classifier.classify_with_source("借金が返せない")
        await classifier.aclose()
    assert source == "rasa" and ranking.top[0] == "greet"  # Rasa's answer, not the model's
    assert classifier.fallbacks == 0


async def test_falls_back_when_rasa_is_down(embedded_model: EmbeddedModel) -> None:
    closed = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    classifier = _fallback(closed, embedded_model)
    ranking, source = await classifier.classify_with_source("借金が返せない")
    await classifier.aclose()
    assert source == "embedded" and ranking.top[0] == "debt"
    assert classifier.fallbacks == 1


async def test_falls_back_when_rasa_is_slower_than_the_budget(
    embedded_model: EmbeddedModel,
) -> None:
    async with serve(fake_rasa(delay_s=1.5)) as url:
        classifier = _fallback(url, embedded_model, budget_s=0.2)
        loop = asyncio.get_running_loop()
        started = loop.time()
        ranking, source = await classifier.classify_with_source("借金が返せない")
        elapsed = loop.time() - started
        await classifier.aclose()
    assert source == "embedded" and ranking.top[0] == "debt"
    assert elapsed < 1.0  # the resident did not wait for Rasa


async def test_falls_back_on_a_server_error(embedded_model: EmbeddedModel) -> None:
    async with serve(fake_rasa(status=503)) as url:
        classifier = _fallback(url, embedded_model)
        _, source = await classifier.classify_with_source("はい")
        await classifier.aclose()
    assert source == "embedded"


async def test_cooldown_skips_rasa_after_a_failure(embedded_model: EmbeddedModel) -> None:
    async with serve(fake_rasa()) as url:
        classifier = FallbackClassifier(
            RasaClassifier(url, timeout=2.0),
            EmbeddedClassifier(embedded_model),
            budget_s=0.3,
            cooldown_s=60.0,
        )
        classifier._skip_primary_until = float("inf")  # as if Rasa had just failed
        _, source = await classifier.classify_with_source("はい")
        await classifier.aclose()
    assert source == "embedded"


async def test_fallback_event_is_logged(embedded_model: EmbeddedModel) -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    classifier = _fallback(closed, embedded_model)
    with capture_logs() as events:
        await classifier.classify("はい")
    await classifier.aclose()
    fallback_events = [e for e in events if e["event"] == "nlu.rasa_fallback"]
    assert len(fallback_events) == 1
    assert fallback_events[0]["reason"] == "connect"


async def test_rasa_backend_pipeline_survives_rasa_down() -> None:
    understander = await build_understander(
        "rasa", rasa_url=f"http://127.0.0.1:{free_port()}", rasa_timeout_s=0.3
    )
    try:
        result = await understander.understand("借金が返せなくて、もう死にたい")
    finally:
        await understander.aclose()
    assert result.crisis and result.intent == "crisis" and "debt" in result.situations
    assert result.backend == "embedded"
