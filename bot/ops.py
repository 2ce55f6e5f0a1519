"""Operations endpoints: liveness, readiness, Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from bot.security import metrics_allowed

router = APIRouter()


@router.get("/healthz", summary="Liveness")
async def healthz() -> dict[str, str]:
    """The process is up and serving."""
    return {"status": "ok"}


@router.get("/readyz", summary="Readiness")
async def readyz(request: Request) -> JSONResponse:
    """Database, Redis and NLU reachable: 200 when all are, 503 with details otherwise."""
    state = request.app.state
    checks: dict[str, bool] = {}
    try:
        async with state.db_engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        checks["database"] = True
    except Exception:  # any driver error means "not ready"
        checks["database"] = False
    checks["redis"] = await state.intake.ping()
    checks["nlu"] = await state.nlu_ready()
    ready = all(checks.values())
    return JSONResponse({"ready": ready, "checks": checks}, status_code=200 if ready else 503)


@router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
async def metrics_endpoint(request: Request) -> Response:
    """Only for METRICS_ALLOW_IPS or the METRICS_TOKEN bearer (bot.security)."""
    if not metrics_allowed(request, request.app.state.settings):
        return Response("metrics are not public\n", status_code=403, media_type="text/plain")
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
