"""Only the demo's own pages may call it: requests a browser sends from another origin are refused.

Browsers add an `Origin` header to every cross-origin request and to every POST, so a page on
another site, or on another port of this machine, cannot drive the demo's API (gradio's own CORS
rules let any localhost page through). Requests without `Origin` come from programs, not from a
web page, and pass: whoever can run a program here can edit the files anyway. Listing the
allowed origins (rather than comparing with `Host`) also stops DNS-rebinding pages.
"""
from __future__ import annotations

from starlette.responses import PlainTextResponse

LOOPBACK = ("127.0.0.1", "localhost", "[::1]")


def allowed_origins(host: str, port: int, extra=()) -> frozenset[str]:
    """The app's own origins: loopback names on `port`, `host` itself, and any `extra` ones."""
    names = {*LOOPBACK} | ({host} if host not in ("0.0.0.0", "::", "") else set())
    return frozenset({f"http://{name}:{port}" for name in names} | {o.rstrip("/") for o in extra})


class OriginGuard:
    """ASGI middleware: 403 for any HTTP request whose Origin is not one of `allowed`."""

    def __init__(self, app, allowed: frozenset[str]):
        self.app, self.allowed = app, allowed

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            origin = dict(scope["headers"]).get(b"origin")
            if origin is not None and origin.decode("latin-1").rstrip("/") not in self.allowed:
                response = PlainTextResponse("Refused: requests from other web pages may not call this app.",
                                             status_code=403)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
