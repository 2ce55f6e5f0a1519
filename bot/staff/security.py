"""Response headers of the staff side: a strict CSP, no framing, no sniffing, no referrer,
nothing cached, and HSTS when the request came over TLS.

Only the staff paths get them (the LINE webhook and the dev simulator have their own
needs). The pages load no inline script or style, so the policy allows only this origin.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

STAFF_PREFIXES = ("/inbox", "/login", "/logout", "/account", "/session", "/stats", "/admin", "/api", "/static")
CSP = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}
HSTS = "max-age=31536000; includeSubDomains"


def is_staff_path(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") or path.startswith(p + "?") for p in STAFF_PREFIXES)


class StaffHeaders:
    """Pure ASGI middleware (no body buffering, streaming untouched)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_staff_path(scope.get("path", "")):
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")
        tls = scope.get("scheme") == "https"

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", [])
                           if k.decode("latin-1").lower() not in HEADERS and k.lower() != b"cache-control"]
                headers += [(k.encode(), v.encode()) for k, v in HEADERS.items()]
                # Pages and answers hold personal data: never kept in a (shared PC's) cache.
                headers.append((b"cache-control", b"no-cache" if static else b"no-store"))
                if tls:
                    headers.append((b"strict-transport-security", HSTS.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)
