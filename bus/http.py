"""The bus's HTTP server: REST inbound, health, metrics, and the mount point for further endpoints."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable

from aiohttp import web

from bus.metrics import metrics_endpoint
from bus.problems import problem

HealthCheck = Callable[[], Awaitable[dict[str, str]]]
OPEN_PATHS = frozenset({"/healthz", "/metrics"})
"""No bearer token: health checks and Prometheus; restrict who reaches the port instead."""
OWN_AUTH = "esb_own_auth"
"""Handler attribute: the endpoint authenticates its callers itself (SOAP with HTTP Basic), no bearer token."""


def _auth_middleware(token: str) -> Callable:
    @web.middleware
    async def check(request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]):
        if request.path not in OPEN_PATHS and not getattr(request.match_info.handler, OWN_AUTH, False):
            given = request.headers.get("Authorization", "")
            if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
                return problem(401, "Unauthorized", "send 'Authorization: Bearer <token>'")
        return await handler(request)

    return check


def build_app(
    routes: list[web.RouteDef], health: HealthCheck, *, max_body_bytes: int, api_token: str | None = None
) -> web.Application:
    app = web.Application(
        client_max_size=max_body_bytes, middlewares=[_auth_middleware(api_token)] if api_token else []
    )

    async def healthz(_: web.Request) -> web.Response:
        checks = await health()
        healthy = all(value == "ok" for value in checks.values())
        return web.json_response({"status": "ok" if healthy else "degraded", **checks}, status=200 if healthy else 503)

    app.add_routes([web.get("/healthz", healthz), web.get("/metrics", metrics_endpoint), *routes])
    return app
