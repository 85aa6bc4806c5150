"""A hand-written consumer doing the routes benchmark's work, as a reference: plain aiormq or plain aio-pika.

Runs until SIGTERM. Consumes ``bench.in`` with the given prefetch, turns each order into the MES document,
publishes it to ``bench.out`` with publisher confirms (on a second connection, as the bus does), acks it.

    .venv/bin/python ops/bench/plain_loop.py aiormq|aio-pika AMQP_URL [--prefetch 64] [--loop asyncio|uvloop]
"""

from __future__ import annotations

import argparse
import asyncio
import signal
from collections.abc import Awaitable, Callable

import aio_pika
import aiormq
from workload import IN_QUEUE, OUT_EXCHANGE, output_document

from bus.eventloop import loop_factory


async def plain_aiormq(url: str, prefetch: int, stop: asyncio.Event) -> None:
    consume = await aiormq.connect(url)
    publish = await aiormq.connect(url)
    try:
        channel = await consume.channel()
        await channel.basic_qos(prefetch_count=prefetch)
        out = await publish.channel(publisher_confirms=True)

        async def handle(message: aiormq.abc.DeliveredMessage) -> None:
            document = output_document(aio_pika.IncomingMessage(message, no_ack=False))
            properties = aiormq.spec.Basic.Properties(
                content_type=document.content_type,
                message_id=document.message_id,
                correlation_id=document.correlation_id,
                delivery_mode=2,
            )
            await out.basic_publish(document.body, exchange=OUT_EXCHANGE, routing_key="x", properties=properties)
            await channel.basic_ack(message.delivery_tag)

        await channel.basic_consume(IN_QUEUE, handle)
        await stop.wait()
    finally:
        await consume.close()
        await publish.close()


async def plain_aio_pika(url: str, prefetch: int, stop: asyncio.Event) -> None:
    consume = await aio_pika.connect(url)
    publish = await aio_pika.connect(url)
    async with consume, publish:
        channel = await consume.channel()
        await channel.set_qos(prefetch_count=prefetch)
        out = await (await publish.channel(publisher_confirms=True)).get_exchange(OUT_EXCHANGE)
        queue = await channel.get_queue(IN_QUEUE)

        async def handle(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            await out.publish(output_document(message), "x")
            await message.ack()

        await queue.consume(handle)
        await stop.wait()


LOOPS: dict[str, Callable[[str, int, asyncio.Event], Awaitable[None]]] = {
    "aiormq": plain_aiormq,
    "aio-pika": plain_aio_pika,
}


async def main(kind: str, url: str, prefetch: int) -> None:
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await LOOPS[kind](url, prefetch, stop)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("kind", choices=sorted(LOOPS))
    parser.add_argument("url")
    parser.add_argument("--prefetch", type=int, default=64)
    parser.add_argument("--loop", choices=["asyncio", "uvloop"], default="asyncio")
    args = parser.parse_args()
    _, factory = loop_factory(args.loop)
    with asyncio.Runner(loop_factory=factory) as runner:
        runner.run(main(args.kind, args.url, args.prefetch))
