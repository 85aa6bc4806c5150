"""A queue bound to every message on the events exchange, to see what an inbound adapter published."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aio_pika
from aio_pika.abc import AbstractRobustConnection

from bus.publisher import Publisher
from bus.topology import EVENTS_EXCHANGE, apply_topology

CAPTURE_QUEUE = "test.capture"


@asynccontextmanager
async def capturing_publisher(amqp_url: str) -> AsyncIterator[tuple[Publisher, AbstractRobustConnection]]:
    """The bus topology on the test's vhost, a queue capturing all events, and a confirmed publisher."""
    connection = await aio_pika.connect_robust(amqp_url)
    try:
        await apply_topology(connection, [])
        channel = await connection.channel()
        queue = await channel.declare_queue(CAPTURE_QUEUE, durable=True)
        await queue.bind(EVENTS_EXCHANGE, "#")
        await channel.close()
        publisher = Publisher(connection)
        yield publisher, connection
        await publisher.close()
    finally:
        await connection.close()
