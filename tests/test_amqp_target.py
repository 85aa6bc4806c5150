"""AMQP target: a route publishes its documents, confirmed, to an exchange modern consumers read from."""

from __future__ import annotations

import aio_pika

from bus.topology import DEAD_QUEUE
from bus.wire import H_ERROR_CLASS, H_ERROR_MESSAGE
from tests.support.broker import take_messages
from tests.support.payloads import production_order
from tests.support.routes import write_route
from tests.test_flow import post

OUT_EXCHANGE, OUT_QUEUE = "mes.orders", "mes.orders.in"


async def declare_output(amqp_url: str, *, bind: bool) -> None:
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        exchange = await channel.declare_exchange(OUT_EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)
        queue = await channel.declare_queue(OUT_QUEUE, durable=True)
        if bind:
            await queue.bind(exchange, "#")


def amqp_route(routes_dir, amqp_url: str) -> None:  # type: ignore[no-untyped-def]
    write_route(
        routes_dir,
        "orders-to-amqp",
        "http://unused.invalid",
        transform="mes.production_order.v1",
        target={"adapter": "amqp", "settings": {"url": amqp_url, "exchange": OUT_EXCHANGE}},
    )


async def test_document_is_published_with_the_envelope_identity(bus, routes_dir, amqp_url, sqlite_url):
    await declare_output(amqp_url, bind=True)
    amqp_route(routes_dir, amqp_url)
    async with bus(sqlite_url) as runtime:
        _, answer = await post(runtime, "production.order.released", production_order("5150"))
        [message] = await take_messages(amqp_url, OUT_QUEUE, 1)
    assert message.message_id == answer["message_id"]
    assert message.correlation_id == answer["correlation_id"]
    assert message.routing_key == "production.order.released.1000"
    assert message.delivery_mode == aio_pika.DeliveryMode.PERSISTENT
    assert b'"workOrder":"5150"' in message.body


async def test_unroutable_document_is_dead_lettered_not_dropped(bus, routes_dir, amqp_url, sqlite_url):
    await declare_output(amqp_url, bind=False)
    amqp_route(routes_dir, amqp_url)
    async with bus(sqlite_url) as runtime:
        _, answer = await post(runtime, "production.order.released", production_order("5151"))
        [dead] = await take_messages(amqp_url, DEAD_QUEUE, 1)
    assert dead.message_id == answer["message_id"]
    assert dead.headers[H_ERROR_CLASS] == "PermanentError"
    assert "has no queue" in str(dead.headers[H_ERROR_MESSAGE])
