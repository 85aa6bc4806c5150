"""The admin API of the parking store over real HTTP, with and without ``ESB_API_TOKEN``."""

from __future__ import annotations

from typing import Any

import aiohttp

from bus.runtime import BusRuntime
from tests.support.routes import write_route
from tests.support.target import wait_for
from tests.test_dlq_support import Store, parking_bus, publish_orders

ADMIN = "/api/v1/admin/deadletters"


async def call(
    runtime: BusRuntime, method: str, path: str, *, token: str | None = None, body: Any = None, **query: str
) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    url = f"http://127.0.0.1:{runtime.http_port}{path}"
    async with aiohttp.ClientSession() as session:
        async with session.request(method, url, json=body, headers=headers, params=query) as response:
            return response.status, await response.json(content_type=None)


async def test_admin_api_with_a_token(routes_dir, target, database_url, amqp_url):
    write_route(routes_dir, "orders-api", target.url)
    target.default_script = [400]
    store = Store(database_url)
    token = "s3cret-admin-token"
    async with parking_bus(amqp_url, routes_dir, database_url, api_token=token) as runtime:
        first, second = await publish_orders(amqp_url, ["A-100", "A-200"])
        await store.wait_for_count(2)
        rows = {row.message_id: row.id for row in store.rows()}
        one, two = rows[first], rows[second]

        for method, path in (
            ("GET", ADMIN),
            ("GET", f"{ADMIN}/{one}"),
            ("POST", f"{ADMIN}/{one}/replay"),
            ("POST", f"{ADMIN}/{one}/discard"),
        ):
            for wrong in (None, "guess"):
                status, answer = await call(runtime, method, path, token=wrong, body={"reason": "r"})
                assert status == 401, (method, path, wrong)
                assert answer["title"] == "Unauthorized"
        assert store.count(status="parked") == 2 and store.audit(one) == []

        status, listed = await call(runtime, "GET", ADMIN, token=token, key="A-100")
        assert status == 200
        assert [item["id"] for item in listed["items"]] == [one]
        assert listed["items"][0]["business_keys"] == {"order_number": "A-100"}
        status, groups = await call(runtime, "GET", ADMIN, token=token, group_by="fingerprint")
        assert status == 200 and [g["count"] for g in groups["items"]] == [2]
        status, shown = await call(runtime, "GET", f"{ADMIN}/{one}", token=token)
        assert status == 200
        assert shown["message_id"] == first and shown["attempt_history"][0]["error_class"] == "PermanentError"
        assert shown["headers"]["x-esb-route"] == "orders-api"

        bad_patch = {"patch": [{"op": "replace", "path": "/quantity", "value": "many"}], "reason": "fix quantity"}
        status, refused = await call(runtime, "POST", f"{ADMIN}/{one}/edit", token=token, body=bad_patch)
        assert status == 422
        assert [e["field"] for e in refused["errors"]] == ["quantity"]
        status, refused = await call(runtime, "POST", f"{ADMIN}/{two}/discard", token=token, body={})
        assert status == 422 and "reason is required" in refused["detail"]

        status, replayed = await call(
            runtime, "POST", f"{ADMIN}/{one}/replay", token=token, body={"actor": "jane", "reason": "target fixed"}
        )
        assert status == 200 and replayed["result"] == "replayed"
        await wait_for(lambda: first in target.applied, what="the replay at the target")
        status, conflict = await call(runtime, "POST", f"{ADMIN}/{one}/replay", token=token)
        assert status == 409 and "is replayed" in conflict["detail"]
        status, discarded = await call(
            runtime, "POST", f"{ADMIN}/{two}/discard", token=token, body={"reason": "duplicate order"}
        )
        assert status == 200 and discarded["status"] == "discarded"
        status, _ = await call(runtime, "GET", f"{ADMIN}/999999", token=token)
        assert status == 404
    (replay_entry,) = store.audit(one)
    assert (replay_entry.action, replay_entry.actor, replay_entry.reason) == ("replay", "api:jane", "target fixed")
    (discard_entry,) = store.audit(two)
    assert (discard_entry.action, discard_entry.actor, discard_entry.reason) == ("discard", "api", "duplicate order")
    assert target.attempts()[first] == 2 and target.attempts()[second] == 1
    store.close()


async def test_admin_api_without_a_token_and_bulk_replay(routes_dir, target, sqlite_url, amqp_url):
    write_route(routes_dir, "orders-open", target.url)
    target.default_script = [400]
    store = Store(sqlite_url)
    async with parking_bus(amqp_url, routes_dir, sqlite_url) as runtime:
        ids = await publish_orders(amqp_url, ["O-1", "O-2", "O-3"])
        await store.wait_for_count(3)
        status, listed = await call(runtime, "GET", ADMIN, route="orders-open", newer_than="1h")
        assert status == 200 and listed["total"] == 3
        status, problem = await call(runtime, "GET", ADMIN, older_than="yesterday")
        assert status == 400 and "not a duration" in problem["detail"]
        status, problem = await call(runtime, "POST", f"{ADMIN}/replay", body={})
        assert status == 400 and "say what to replay" in problem["detail"]
        status, report = await call(
            runtime, "POST", f"{ADMIN}/replay", body={"selection": {"route": "orders-open"}, "limit": 2}
        )
        assert status == 200 and report["replayed"] == 2
        status, report = await call(runtime, "POST", f"{ADMIN}/replay", body={"all": True, "reason": "rest"})
        assert status == 200 and (report["selected"], report["replayed"]) == (1, 1)
        await wait_for(lambda: set(ids) <= set(target.applied), what="every replay at the target")
    assert store.count(status="replayed") == 3
    assert {target.attempts()[key] for key in ids} == {2}
    store.close()
