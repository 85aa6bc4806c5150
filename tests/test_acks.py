"""Batched acknowledgements: one ack frame covers a settled run, and an unsettled delivery is never acked."""

from __future__ import annotations

import asyncio

import aio_pika

from bus.acks import AckBatcher


async def _deliveries(channel: aio_pika.abc.AbstractChannel, count: int) -> list[aio_pika.abc.AbstractIncomingMessage]:
    queue = await channel.declare_queue("acks.test", durable=True)
    exchange = channel.default_exchange
    for n in range(count):
        await exchange.publish(aio_pika.Message(str(n).encode()), "acks.test")
    await channel.set_qos(prefetch_count=count)
    taken: list[aio_pika.abc.AbstractIncomingMessage] = []
    async with queue.iterator() as messages:
        async for message in messages:
            taken.append(message)
            if len(taken) == count:
                break
    return taken


async def _depth_after_close(amqp_url: str, connection: aio_pika.abc.AbstractConnection) -> int:
    """Close the consuming connection (the broker requeues what was not acked) and count what is queued."""
    await connection.close()
    checker = await aio_pika.connect(amqp_url)
    async with checker:
        queue = await (await checker.channel()).declare_queue("acks.test", durable=True)
        return queue.declaration_result.message_count or 0


async def test_settled_in_order_costs_one_frame(amqp_url):
    connection = await aio_pika.connect(amqp_url)
    messages = await _deliveries(await connection.channel(), 20)
    acks = AckBatcher()
    for message in messages:
        acks.taken(message)
    for message in messages:
        acks.ack(message)
    await acks.drain()
    assert acks.frames == 1
    assert await _depth_after_close(amqp_url, connection) == 0


async def test_a_delivery_in_progress_is_not_covered_and_does_not_hold_the_others(amqp_url):
    connection = await aio_pika.connect(amqp_url)
    messages = await _deliveries(await connection.channel(), 10)
    acks = AckBatcher()
    for message in messages:
        acks.taken(message)
    slow = messages[3]
    for message in messages:
        if message is not slow:
            acks.ack(message)
    await acks.drain()
    assert acks.frames == 1 + 6  # tags 1-3 together, 5-10 one by one: none may cover the slow tag 4
    assert await _depth_after_close(amqp_url, connection) == 1


async def test_a_nacked_delivery_no_longer_blocks_a_multiple_ack(amqp_url):
    connection = await aio_pika.connect(amqp_url)
    messages = await _deliveries(await connection.channel(), 5)
    acks = AckBatcher()
    for message in messages:
        acks.taken(message)
    await messages[0].nack(requeue=True)
    acks.forget(messages[0])
    for message in messages[1:]:
        acks.ack(message)
    await acks.drain()
    assert acks.frames == 1
    await asyncio.sleep(0.1)
    assert await _depth_after_close(amqp_url, connection) == 1


async def test_acks_reach_the_broker_in_order_while_the_connection_is_busy_writing(amqp_url):
    """With the connection's write buffer full, frames queued later can overtake earlier ones. A multiple
    ack overtaking a single ack it covers makes the broker close the channel ("unknown delivery tag"), and
    every unacknowledged delivery comes back a second time."""
    connection = await aio_pika.connect(amqp_url)
    channel = await connection.channel()
    messages = await _deliveries(channel, 200)
    acks = AckBatcher()
    for message in messages:
        acks.taken(message)
    busy = await connection.channel(publisher_confirms=False)
    flood = [
        asyncio.create_task(busy.default_exchange.publish(aio_pika.Message(b"x" * 1000), "acks.elsewhere"))
        for _ in range(2000)
    ]
    for wave in range(10):
        first, *rest = messages[wave * 20 : wave * 20 + 20]
        for message in rest:  # one by one: the wave's first delivery is still in progress
            acks.ack(message)
        await asyncio.sleep(0)
        acks.ack(first)  # now the whole wave is covered by one multiple ack
        await asyncio.sleep(0)
    await acks.drain()
    await asyncio.gather(*flood)
    assert not channel.is_closed, "the broker closed the channel over an ack"
    assert await _depth_after_close(amqp_url, connection) == 0
