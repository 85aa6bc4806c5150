"""Route throughput: the bus's route engine against plain aiormq and aio-pika loops doing the same work.

Each contender drains the same backlog of persistent ~1 KB production orders from a quorum queue: rebuild and
validate the envelope (pydantic), map it to the MES document (``mes.production_order.v1``), publish the
document with publisher confirms to an output exchange, ack. The bus does it as deployed: a route from a
route file, idempotency, journal and metrics on (SQLite store), prefetch as configured, AMQP target; and once
more with the journal off, to show what the journal costs. Results are printed as
messages per second and as a ratio to the aiormq loop of the same run (the machine is shared: compare
ratios, not absolute numbers).

    .venv/bin/python ops/bench/route_throughput.py [--messages 20000] [--rounds 1] [--prefetch 64]
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import aio_pika
import aiormq
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bus.canonical import ProductionOrderReleased  # noqa: E402
from bus.catalogue import load_catalogue  # noqa: E402
from bus.envelope import Envelope, Source  # noqa: E402
from bus.runtime import BusRuntime  # noqa: E402
from bus.settings import Settings  # noqa: E402
from bus.topology import EVENTS_EXCHANGE, apply_topology  # noqa: E402
from bus.wire import from_amqp, to_amqp  # noqa: E402
from transformers import get_transformer  # noqa: E402

BASE_URL = "amqp://guest:guest@127.0.0.1:5672"
OUT_EXCHANGE = "bench.out"
MAP = get_transformer("mes.production_order.v1")


def order(number: int) -> ProductionOrderReleased:
    operations = [
        {"number": f"{10 * i:04d}", "description": f"Step {i}", "work_center": f"WC-{i:02d}", "setup_time": "15",
         "machine_time": "2.5"}
        for i in range(1, 5)
    ]  # fmt: skip
    components = [
        {"item": f"{10 * i:04d}", "material": f"RM-{i:05d}", "quantity": "4", "unit": "EA"} for i in range(1, 4)
    ]
    return ProductionOrderReleased.model_validate(
        {
            "plant": "1000",
            "order_number": f"{100_000_000 + number}",
            "order_type": "PP01",
            "material": "FG-4711",
            "description": "Pump housing, machined",
            "quantity": "250",
            "unit": "EA",
            "scheduled_start": "2026-12-01T06:00:00+01:00",
            "scheduled_end": "2026-12-03T14:00:00+01:00",
            "operations": operations,
            "components": components,
        }
    )


@contextmanager
def vhost():  # type: ignore[no-untyped-def]
    name = f"esb-bench-{uuid.uuid4().hex[:8]}"
    subprocess.run(["rabbitmqctl", "-q", "add_vhost", name], check=True)
    subprocess.run(["rabbitmqctl", "-q", "set_permissions", "-p", name, "guest", ".*", ".*", ".*"], check=True)
    try:
        yield f"{BASE_URL}/{name}"
    finally:
        subprocess.run(["rabbitmqctl", "-q", "delete_vhost", name], check=True)


async def declare_output(channel: aio_pika.abc.AbstractChannel) -> aio_pika.abc.AbstractQueue:
    exchange = await channel.declare_exchange(OUT_EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)
    queue = await channel.declare_queue("bench.out", durable=True, arguments={"x-queue-type": "quorum"})
    await queue.bind(exchange, "#")
    return queue


async def fill(url: str, exchange: str, routing_key: str, count: int) -> None:
    """Publish the backlog (not timed), confirmed in windows."""
    source = Source(system="ERP", interface="BENCH")
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        target = await channel.get_exchange(exchange) if exchange else channel.default_exchange
        for start in range(0, count, 500):
            messages = [
                to_amqp(Envelope.wrap(order(n), source, occurred_at=datetime.now(UTC)))
                for n in range(start, min(count, start + 500))
            ]
            await asyncio.gather(*(target.publish(m, routing_key) for m in messages))


async def wait_for_output(url: str, count: int, timeout: float = 600) -> float:
    """Seconds until ``count`` documents are on the output queue (polled)."""
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        started = time.perf_counter()
        while time.perf_counter() - started < timeout:
            queue = await channel.declare_queue("bench.out", passive=True)
            if (queue.declaration_result.message_count or 0) >= count:
                return time.perf_counter() - started
            await asyncio.sleep(0.02)
    raise TimeoutError(f"fewer than {count} documents arrived within {timeout}s")


def _document(message: aio_pika.abc.AbstractIncomingMessage) -> aio_pika.Message:
    envelope = from_amqp(message)
    document = MAP(envelope)
    return aio_pika.Message(
        document.body,
        content_type=document.media_type,
        message_id=str(envelope.message_id),
        correlation_id=envelope.correlation_id,
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
    )


async def plain_aio_pika(url: str, count: int, prefetch: int) -> float:
    await _prepare_plain(url, count)
    consume = await aio_pika.connect(url)
    publish = await aio_pika.connect(url)
    async with consume, publish:
        channel = await consume.channel()
        await channel.set_qos(prefetch_count=prefetch)
        out = await (await publish.channel(publisher_confirms=True)).get_exchange(OUT_EXCHANGE)
        queue = await channel.get_queue("bench.in")

        async def handle(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            document = _document(message)
            await out.publish(document, "production.order.released.1000")
            await message.ack()

        await queue.consume(handle)
        return await wait_for_output(url, count)


async def plain_aiormq(url: str, count: int, prefetch: int) -> float:
    await _prepare_plain(url, count)
    consume = await aiormq.connect(url)
    publish = await aiormq.connect(url)
    try:
        channel = await consume.channel()
        await channel.basic_qos(prefetch_count=prefetch)
        out = await publish.channel(publisher_confirms=True)

        async def handle(message: aiormq.abc.DeliveredMessage) -> None:
            document = _document(aio_pika.IncomingMessage(message, no_ack=False))
            properties = aiormq.spec.Basic.Properties(
                content_type=document.content_type,
                message_id=document.message_id,
                correlation_id=document.correlation_id,
                delivery_mode=2,
            )
            await out.basic_publish(document.body, exchange=OUT_EXCHANGE, routing_key="x", properties=properties)
            await channel.basic_ack(message.delivery_tag)

        await channel.basic_consume("bench.in", handle)
        return await wait_for_output(url, count)
    finally:
        await consume.close()
        await publish.close()


async def _prepare_plain(url: str, count: int) -> None:
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        await declare_output(channel)
        await channel.declare_queue("bench.in", durable=True, arguments={"x-queue-type": "quorum"})
    await fill(url, "", "bench.in", count)


async def bus_engine(url: str, count: int, prefetch: int, *, journal: bool = True) -> float:
    with tempfile.TemporaryDirectory() as workdir:
        routes = Path(workdir) / "routes"
        routes.mkdir()
        route = {
            "name": "bench-orders",
            "interface": "BENCH-001",
            "source": {"types": ["production.order.released"]},
            "transform": "mes.production_order.v1",
            "target": {"adapter": "amqp", "settings": {"url": url, "exchange": OUT_EXCHANGE}},
        }
        (routes / "bench-orders.yaml").write_text(yaml.safe_dump(route))
        catalogue = load_catalogue(routes)
        connection = await aio_pika.connect_robust(url)
        async with connection:
            await apply_topology(connection, [r.spec for r in catalogue])
            await declare_output(await connection.channel())
        await fill(url, EVENTS_EXCHANGE, "production.order.released.1000", count)
        settings = Settings(
            amqp_url=url,
            database_url=f"sqlite:///{workdir}/store.sqlite3",
            routes_dir=routes,
            prefetch=prefetch,
            journal=journal,
        )
        runtime = BusRuntime(settings, catalogue, serve_http=False)
        await runtime.start()
        try:
            return await wait_for_output(url, count)
        finally:
            await runtime.stop()


Contender = Callable[[str, int, int], Awaitable[float]]
CONTENDERS: dict[str, Contender] = {
    "aiormq loop": plain_aiormq,
    "aio-pika loop": plain_aio_pika,
    "bus route": bus_engine,
    "bus, no journal": functools.partial(bus_engine, journal=False),
}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--prefetch", type=int, default=64)
    parser.add_argument("--only", choices=sorted(CONTENDERS), action="append", help="run only these (repeatable)")
    args = parser.parse_args()
    chosen = {name: CONTENDERS[name] for name in CONTENDERS if not args.only or name in args.only}
    rates: dict[str, list[float]] = {name: [] for name in chosen}
    for round_number in range(1, args.rounds + 1):
        for name, contender in chosen.items():
            with vhost() as url:
                seconds = await contender(url, args.messages, args.prefetch)
            rates[name].append(args.messages / seconds)
            print(f"round {round_number}: {name:14s} {args.messages / seconds:9,.0f} msg/s", flush=True)
    reference = statistics.median(rates["aiormq loop"]) if "aiormq loop" in rates else None
    print(f"\n{args.messages:,} messages, prefetch {args.prefetch}, median of {args.rounds} round(s)")
    print(f"{'contender':16s}{'msg/s':>10s}{'ratio to aiormq':>18s}")
    for name, values in rates.items():
        median = statistics.median(values)
        ratio = f"{median / reference:18.2f}" if reference else f"{'-':>18s}"
        print(f"{name:16s}{median:10,.0f}{ratio}")


if __name__ == "__main__":
    asyncio.run(main())
