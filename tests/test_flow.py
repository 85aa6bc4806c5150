"""End-to-end flows through the real RabbitMQ: REST inbound -> route -> HTTP target, retries, dead letters."""

from __future__ import annotations

import json
import uuid

import aiohttp
import pytest

from bus.topology import DEAD_QUEUE, UNROUTED_QUEUE
from bus.wire import H_ATTEMPT, H_DEAD_REASON, H_ERROR_CLASS, H_ERROR_MESSAGE, H_ERRORS, H_ROUTE
from tests.support.broker import queue_depth, take_messages
from tests.support.payloads import production_order, quality_hold
from tests.support.routes import write_route
from tests.support.target import wait_for


async def post(runtime, message_type: str, payload, headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    url = f"http://127.0.0.1:{runtime.http_port}/api/v1/messages/{message_type}"
    async with aiohttp.ClientSession() as session:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        send_headers = {"Content-Type": "application/json", **(headers or {})}
        async with session.post(url, data=body, headers=send_headers) as response:
            return response.status, await response.json(content_type=None)


async def test_rest_message_reaches_target_exactly_once(bus, routes_dir, target, database_url, amqp_url):
    write_route(routes_dir, "orders-to-mes", target.url, transform="mes.production_order.v1")
    async with bus(database_url) as runtime:
        status, answer = await post(runtime, "production.order.released", production_order("4711"))
        assert status == 202, answer
        assert answer["status"] == "accepted"
        assert answer["routing_key"] == "production.order.released.1000"
        await wait_for(lambda: len(target.received) >= 1, what="delivery to the target")
        await runtime.workers[0].stop()  # nothing further may arrive
    assert len(target.received) == 1
    delivered = target.received[0]
    assert delivered.key == answer["message_id"]
    assert delivered.headers["X-Correlation-ID"] == answer["correlation_id"]
    assert delivered.json()["workOrder"] == "4711"
    assert delivered.json()["steps"][1]["setupMinutes"] == 30.0  # 0.5 H mapped to minutes
    assert await queue_depth(amqp_url, "esb.route.orders-to-mes") == 0


async def test_same_message_twice_is_delivered_once(bus, routes_dir, target, database_url):
    write_route(routes_dir, "orders-dedupe", target.url)
    async with bus(database_url) as runtime:
        key = str(uuid.uuid4())
        first = await post(runtime, "production.order.released", production_order(), {"Idempotency-Key": key})
        await wait_for(lambda: len(target.received) >= 1, what="first delivery")
        second = await post(runtime, "production.order.released", production_order(), {"Idempotency-Key": key})
        assert first[1]["message_id"] == second[1]["message_id"] == key
        # a third, distinct message proves the route kept going past the duplicate
        third = await post(runtime, "production.order.released", production_order("999"))
        await wait_for(lambda: third[1]["message_id"] in target.attempts(), what="third message")
    assert target.attempts()[key] == 1


async def test_transient_failures_are_retried_through_the_tiers(bus, routes_dir, target, sqlite_url):
    write_route(routes_dir, "orders-retry", target.url, retry={"attempts": 4, "backoff": ["200ms", "400ms"]})
    target.default_script = [503, 503, 200]
    async with bus(sqlite_url) as runtime:
        _, answer = await post(runtime, "production.order.released", production_order())
        key = answer["message_id"]
        await wait_for(lambda: key in target.applied, timeout=20, what="third attempt")
    assert target.attempts()[key] == 3
    # the third delivery carries the same identity: the target can tell it is the same message
    assert {r.key for r in target.received} == {key}


async def test_client_error_is_dead_lettered_with_the_reason(bus, routes_dir, target, sqlite_url, amqp_url):
    write_route(routes_dir, "orders-reject", target.url)
    target.default_script = [400]
    async with bus(sqlite_url) as runtime:
        _, answer = await post(runtime, "production.order.released", production_order())
        dead = await take_messages(amqp_url, DEAD_QUEUE, 1)
    assert len(target.received) == 1  # permanent: never retried
    headers = dead[0].headers
    assert dead[0].message_id == answer["message_id"]
    assert headers[H_ROUTE] == "orders-reject"
    assert headers[H_ERROR_CLASS] == "PermanentError"
    assert "400" in headers[H_ERROR_MESSAGE]
    assert headers[H_DEAD_REASON] == "permanent error"
    assert json.loads(dead[0].body)["order_number"] == "100012345"  # the payload is kept whole


async def test_exhausted_retries_are_dead_lettered_with_history(bus, routes_dir, target, sqlite_url, amqp_url):
    write_route(routes_dir, "orders-down", target.url, retry={"attempts": 3, "backoff": ["200ms"]})
    target.default_script = [503] * 10
    async with bus(sqlite_url) as runtime:
        await post(runtime, "production.order.released", production_order())
        dead = await take_messages(amqp_url, DEAD_QUEUE, 1, timeout=20)
    headers = dead[0].headers
    assert headers[H_DEAD_REASON] == "retries exhausted"
    assert headers[H_ATTEMPT] == 3
    history = json.loads(headers[H_ERRORS])
    assert [h["attempt"] for h in history] == [1, 2, 3]
    assert all(h["class"] == "TransientError" and "503" in h["message"] for h in history)
    assert len(target.received) == 3


async def test_a_delivery_past_the_deadline_is_retried_then_parked(
    bus, routes_dir, target, sqlite_url, amqp_url, monkeypatch
):
    monkeypatch.setattr("bus.engine.DELIVERY_DEADLINE", 0.3)
    write_route(routes_dir, "orders-hanging", target.url, retry={"attempts": 2, "backoff": ["200ms"]})
    target.delay = 5.0  # well past the route's deadline, within the HTTP adapter's own 10 s
    async with bus(sqlite_url) as runtime:
        _, answer = await post(runtime, "production.order.released", production_order())
        dead = await take_messages(amqp_url, DEAD_QUEUE, 1, timeout=20)
    headers = dead[0].headers
    assert dead[0].message_id == answer["message_id"]
    assert headers[H_DEAD_REASON] == "retries exhausted"
    history = json.loads(headers[H_ERRORS])
    assert [h["attempt"] for h in history] == [1, 2]
    assert all(h["class"] == "TransientError" and "did not finish within 0.3s" in h["message"] for h in history)


async def test_unroutable_message_is_parked_not_dropped(bus, routes_dir, target, sqlite_url, amqp_url):
    write_route(routes_dir, "orders-only", target.url)
    async with bus(sqlite_url) as runtime:
        status, answer = await post(runtime, "quality.hold.placed", quality_hold())
        assert status == 202
        parked = await take_messages(amqp_url, UNROUTED_QUEUE, 1)
    assert parked[0].message_id == answer["message_id"]
    assert parked[0].type == "quality.hold.placed"
    assert target.received == []


async def test_filter_declines_messages_without_delivering(bus, routes_dir, target, sqlite_url, amqp_url):
    write_route(routes_dir, "orders-filtered", target.url, filter='payload.order_type == "PP01"')
    async with bus(sqlite_url) as runtime:
        _, skipped = await post(runtime, "production.order.released", production_order("1", order_type="PP99"))
        _, kept = await post(runtime, "production.order.released", production_order("2"))
        await wait_for(lambda: kept["message_id"] in target.attempts(), what="the PP01 order")
    assert skipped["message_id"] not in target.attempts()
    assert await queue_depth(amqp_url, "esb.route.orders-filtered") == 0


@pytest.mark.parametrize(
    ("message_type", "body", "content_type", "status", "title"),
    [
        ("production.order.released", {"plant": "1000"}, "application/json", 422, "Invalid payload"),
        ("production.order.released", b"{not json", "application/json", 400, "Malformed JSON"),
        ("no.such.type", {"plant": "1000"}, "application/json", 404, "Unknown message type"),
        ("production.order.released", b"<order/>", "application/xml", 415, "Unsupported media type"),
    ],
)
async def test_bad_requests_get_a_problem_and_publish_nothing(
    bus, routes_dir, target, sqlite_url, amqp_url, message_type, body, content_type, status, title
):
    write_route(routes_dir, "orders-strict", target.url)
    async with bus(sqlite_url) as runtime:
        url = f"http://127.0.0.1:{runtime.http_port}/api/v1/messages/{message_type}"
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        async with aiohttp.ClientSession() as session:
            async with session.post(url, data=data, headers={"Content-Type": content_type}) as response:
                answer = await response.json(content_type=None)
                assert response.status == status
                assert response.content_type == "application/problem+json"
    assert answer["title"] == title
    if status == 422:
        fields = {e["field"] for e in answer["errors"]}
        assert {"order_number", "operations", "quantity"} <= fields
    assert await queue_depth(amqp_url, "esb.route.orders-strict") == 0
    assert await queue_depth(amqp_url, UNROUTED_QUEUE) == 0


async def test_invalid_message_on_the_queue_is_dead_lettered(bus, routes_dir, target, sqlite_url, amqp_url):
    """A modern app publishing directly with a wrong payload: parked with the validation error."""
    import aio_pika

    write_route(routes_dir, "orders-direct", target.url)
    async with bus(sqlite_url):
        connection = await aio_pika.connect(amqp_url)
        channel = await connection.channel()
        exchange = await channel.get_exchange("esb.events")
        await exchange.publish(
            aio_pika.Message(b'{"plant": "1000"}', type="production.order.released", message_id=str(uuid.uuid4())),
            routing_key="production.order.released.1000",
        )
        await connection.close()
        dead = await take_messages(amqp_url, DEAD_QUEUE, 1)
    assert dead[0].headers[H_ERROR_CLASS] == "InvalidMessage"
    assert "order_number" in dead[0].headers[H_ERROR_MESSAGE]
    assert target.received == []


async def test_health_reports_broker_and_store(bus, routes_dir, target, sqlite_url):
    write_route(routes_dir, "orders-health", target.url)
    async with bus(sqlite_url) as runtime:
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{runtime.http_port}/healthz") as response:
                assert response.status == 200
                assert await response.json() == {"status": "ok", "broker": "ok", "store": "ok"}
