"""Rich-menu endpoints of the fake Messaging API, so ``scripts/install_richmenu.py`` can be
tested against it: create / validate / list / delete, image upload (the api-data host's
path, served on the same base URL) and the default menu."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse, Response
from linebot.v3.messaging import RichMenuRequest

IMAGE_MAX_BYTES = 1024 * 1024
IMAGE_TYPES = ("image/png", "image/jpeg")


@dataclass
class RichMenuStore:
    menus: dict[str, dict[str, Any]] = field(default_factory=dict)
    images: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    default: str | None = None


def build_richmenu_router(store: RichMenuStore, access_token: str) -> APIRouter:
    router = APIRouter()

    def _refused(authorization: str | None) -> JSONResponse | None:
        if authorization != f"Bearer {access_token}":
            return JSONResponse({"message": "Authentication failed"}, status_code=401)
        return None

    async def _menu(request: Request) -> tuple[dict[str, Any] | None, JSONResponse | None]:
        body = await request.json()
        try:
            RichMenuRequest.from_dict(body)
        except Exception as exc:  # the SDK's model says the shape is wrong
            return None, JSONResponse({"message": "invalid rich menu", "details": [str(exc)]}, status_code=400)
        size = body.get("size", {})
        for area in body.get("areas", []):
            b = area["bounds"]
            if b["x"] + b["width"] > size.get("width", 0) or b["y"] + b["height"] > size.get("height", 0):
                return None, JSONResponse({"message": "area out of bounds"}, status_code=400)
        return body, None

    @router.post("/v2/bot/richmenu/validate")
    async def validate(request: Request, authorization: str | None = Header(None)) -> Response:
        if (refused := _refused(authorization)) is not None:
            return refused
        _, problem = await _menu(request)
        return problem or JSONResponse({})

    @router.post("/v2/bot/richmenu")
    async def create(request: Request, authorization: str | None = Header(None)) -> Response:
        if (refused := _refused(authorization)) is not None:
            return refused
        body, problem = await _menu(request)
        if problem is not None:
            return problem
        assert body is not None  # _menu gives a body or a problem
        menu_id = "richmenu-" + uuid.uuid4().hex
        store.menus[menu_id] = {**body, "richMenuId": menu_id}
        return JSONResponse({"richMenuId": menu_id})

    @router.get("/v2/bot/richmenu/list")
    async def listing(authorization: str | None = Header(None)) -> Response:
        if (refused := _refused(authorization)) is not None:
            return refused
        return JSONResponse({"richmenus": list(store.menus.values())})

    @router.delete("/v2/bot/richmenu/{menu_id}")
    async def delete(menu_id: str, authorization: str | None = Header(None)) -> Response:
        if (refused := _refused(authorization)) is not None:
            return refused
        if store.menus.pop(menu_id, None) is None:
            return JSONResponse({"message": "Not found"}, status_code=404)
        store.images.pop(menu_id, None)
        if store.default == menu_id:
            store.default = None
        return JSONResponse({})

    @router.post("/v2/bot/richmenu/{menu_id}/content")
    async def upload(menu_id: str, request: Request, authorization: str | None = Header(None),
                     content_type: str | None = Header(None)) -> Response:
        if (refused := _refused(authorization)) is not None:
            return refused
        if menu_id not in store.menus:
            return JSONResponse({"message": "Not found"}, status_code=404)
        body = await request.body()
        if content_type not in IMAGE_TYPES or not body or len(body) > IMAGE_MAX_BYTES:
            return JSONResponse({"message": "invalid image"}, status_code=400)
        store.images[menu_id] = (content_type, body)
        return JSONResponse({})

    @router.post("/v2/bot/user/all/richmenu/{menu_id}")
    async def set_default(menu_id: str, authorization: str | None = Header(None)) -> Response:
        if (refused := _refused(authorization)) is not None:
            return refused
        if menu_id not in store.menus or menu_id not in store.images:
            # LINE refuses a menu without an image as default.
            return JSONResponse({"message": "rich menu image not uploaded"}, status_code=400)
        store.default = menu_id
        return Response(status_code=200, content=b"{}", media_type="application/json")

    return router
