"""The console's HTTP side: its static files at ``/console/`` and the JSON it needs beyond the dead-letter API.

```
GET /console/                          the console (no token: the files hold no data; the API calls need it)
GET /api/v1/admin/routes               every route: state, source, target, traffic of this process, queue depth
GET /api/v1/admin/trace/{key}          the journal story of a correlation id or message id (as ``esb trace --json``)
```
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from importlib import resources

from aio_pika.abc import AbstractConnection
from aiohttp import web
from sqlalchemy import Engine

from bus.console.overview import route_overview
from bus.engine import RouteWorker
from bus.http import OWN_AUTH
from bus.journal import story
from bus.problems import problem
from bus.routespec import RouteSpec
from bus.trace import as_json

ADMIN = "/api/v1/admin"
CONSOLE = "/console/"
STATIC_FILES = {"index.html": "text/html", "console.js": "text/javascript", "console.css": "text/css"}
STATIC_HEADERS = {
    "Cache-Control": "no-cache",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _public(handler: Handler) -> Handler:
    """Served without the bearer token (the console asks for it and sends it with its API calls)."""
    setattr(handler, OWN_AUTH, True)
    return handler


def _static(name: str) -> Handler:
    body = resources.files(__package__).joinpath(name).read_bytes()
    content_type = STATIC_FILES[name]

    async def serve(_: web.Request) -> web.Response:
        return web.Response(body=body, content_type=content_type, charset="utf-8", headers=STATIC_HEADERS)

    return _public(serve)


@_public
async def _to_console(_: web.Request) -> web.Response:
    raise web.HTTPPermanentRedirect(CONSOLE)


def console_routes(
    routes: Sequence[RouteSpec], workers: Sequence[RouteWorker], engine: Engine, connection: AbstractConnection
) -> list[web.RouteDef]:
    """``workers``: the running route workers of this process (read at each call); ``connection``: for depths."""

    async def route_list(_: web.Request) -> web.Response:
        return web.json_response({"routes": await route_overview(routes, workers, connection)})

    async def trace(request: web.Request) -> web.Response:
        key = request.match_info["key"].strip()
        entries = await asyncio.to_thread(story, engine, key)
        if not entries:
            return problem(404, "Not found", f"the journal has no message with correlation id or message id {key!r}")
        return web.Response(text=as_json(entries), content_type="application/json")

    return [
        web.get("/console", _to_console),
        web.get(CONSOLE, _static("index.html")),
        *(web.get(CONSOLE + name, _static(name)) for name in STATIC_FILES if name != "index.html"),
        web.get(f"{ADMIN}/routes", route_list),
        web.get(ADMIN + "/trace/{key}", trace),
    ]
