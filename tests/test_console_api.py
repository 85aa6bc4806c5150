"""The console's JSON endpoints and static files over real HTTP: routes with traffic and queue depth, traces."""

from __future__ import annotations

import asyncio

import aiohttp

from bus.journal import story
from bus.store import create_store_engine
from tests.support.payloads import production_order
from tests.support.routes import write_route
from tests.support.target import wait_for
from tests.test_flow import post

ADMIN = "/api/v1/admin"


async def get(port: int, path: str, token: str | None = None) -> tuple[int, dict[str, str], object]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with aiohttp.ClientSession() as session:
        async with session.get(f"http://127.0.0.1:{port}{path}", headers=headers, allow_redirects=False) as response:
            body = await response.read()
            is_json = response.content_type.endswith("json")
            return response.status, dict(response.headers), (await response.json() if is_json else body.decode())


async def routes_once_settled(port: int, route: str, timeout: float = 10.0) -> dict[str, dict]:
    """The routes listing once ``route`` has settled what it took (the target answers before the ack)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        status, _, listed = await get(port, f"{ADMIN}/routes")
        assert status == 200
        routes = {entry["name"]: entry for entry in listed["routes"]}
        if routes[route]["traffic"]["in_flight"] == 0 or asyncio.get_running_loop().time() > deadline:
            return routes
        await asyncio.sleep(0.05)


async def test_routes_show_state_traffic_and_queue_depth_and_trace_tells_the_story(bus, routes_dir, target, sqlite_url):
    write_route(routes_dir, "orders-live", target.url, description="Orders to the MES")
    write_route(routes_dir, "orders-held", target.url, state="disabled")  # its queue buffers, nobody consumes
    async with bus(sqlite_url) as runtime:
        _, answer = await post(
            runtime, "production.order.released", production_order(), {"X-Correlation-ID": "PO-API-1"}
        )
        await wait_for(lambda: answer["message_id"] in target.applied, what="delivery on orders-live")
        routes = await routes_once_settled(runtime.http_port, "orders-live")
        live, held = routes["orders-live"], routes["orders-held"]
        assert (live["state"], live["consuming"], live["description"]) == ("active", True, "Orders to the MES")
        assert live["types"] == ["production.order.released"] and live["target"] == "rest"
        assert live["traffic"] == {
            "delivered": 1,
            "failures": 0,
            "retried": 0,
            "dead_lettered": 0,
            "duplicates": 0,
            "filtered": 0,
            "in_flight": 0,
        }
        assert live["queue"] == {"name": "esb.route.orders-live", "messages": 0, "consumers": 1}
        assert (held["state"], held["consuming"]) == ("disabled", False)
        assert held["queue"] == {"name": "esb.route.orders-held", "messages": 1, "consumers": 0}

        engine = create_store_engine(sqlite_url)
        await wait_for(lambda: len(story(engine, "PO-API-1")) == 3, what="the journal written")
        engine.dispose()
        status, _, told = await get(runtime.http_port, f"{ADMIN}/trace/PO-API-1")
        assert status == 200
        assert [(e["event"], e["route"]) for e in told] == [
            ("published", None),
            ("received", "orders-live"),
            ("delivered", "orders-live"),
        ]
        assert {e["message_id"] for e in told} == {answer["message_id"]}
        status, _, by_message = await get(runtime.http_port, f"{ADMIN}/trace/{answer['message_id']}")
        assert status == 200 and by_message == told
        status, headers, missing = await get(runtime.http_port, f"{ADMIN}/trace/PO-UNKNOWN")
        assert status == 404 and headers["Content-Type"] == "application/problem+json"
        assert "PO-UNKNOWN" in missing["detail"]


async def test_console_files_are_public_and_its_api_needs_the_token(bus, routes_dir, target, sqlite_url):
    write_route(routes_dir, "orders-token", target.url)
    async with bus(sqlite_url, api_token="t0ken") as runtime:
        port = runtime.http_port
        status, headers, _ = await get(port, "/console")
        assert status == 308 and headers["Location"] == "/console/"
        for path, content_type, marker in (
            ("/console/", "text/html", '<script type="module" src="console.js">'),
            ("/console/console.js", "text/javascript", "Authorization"),
            ("/console/console.css", "text/css", ".badge"),
        ):
            status, headers, text = await get(port, path)
            assert status == 200, path
            assert headers["Content-Type"].startswith(content_type)
            assert "default-src 'self'" in headers["Content-Security-Policy"]
            assert marker in text
        for path in (f"{ADMIN}/routes", f"{ADMIN}/trace/PO-1"):
            status, _, refused = await get(port, path)
            assert status == 401 and refused["title"] == "Unauthorized"
        status, _, listed = await get(port, f"{ADMIN}/routes", token="t0ken")
        assert status == 200 and [route["name"] for route in listed["routes"]] == ["orders-token"]
