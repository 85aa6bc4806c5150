"""The route benchmarks' shared workload: ~1 KB production orders, throwaway virtual hosts, the output queue.

Every contender does the same work per message: rebuild and validate the envelope (pydantic), map it to the
MES document (``mes.production_order.v1``), publish the document persistent with publisher confirms to
``bench.out``, acknowledge the input. The document keeps the order's message id, which the latency probe
uses to find when it was sent.
"""

from __future__ import annotations

import asyncio
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import aio_pika
import yaml
from sqlalchemy import create_engine, make_url, text

from bus.canonical import ProductionOrderReleased
from bus.envelope import Envelope, Source
from bus.wire import from_amqp, to_amqp
from transformers import get_transformer

BROKER = "amqp://guest:guest@127.0.0.1:5672"
IN_QUEUE = "bench.in"
"""Where the plain loops read from (the bus reads its route queue, bound to ``esb.events``)."""
OUT_EXCHANGE = "bench.out"
OUT_QUEUE = "bench.out"
ROUTING_KEY = "production.order.released.1000"
MAP = get_transformer("mes.production_order.v1")
SOURCE = Source(system="ERP", interface="BENCH")


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


def order_message(number: int) -> aio_pika.Message:
    return to_amqp(Envelope.wrap(order(number), SOURCE, occurred_at=datetime.now(UTC)))


def output_document(message: aio_pika.abc.AbstractIncomingMessage) -> aio_pika.Message:
    """The plain loops' work: what the bus's route does with the same message."""
    envelope = from_amqp(message)
    document = MAP(envelope)
    return aio_pika.Message(
        document.body,
        content_type=document.media_type,
        message_id=str(envelope.message_id),
        correlation_id=envelope.correlation_id,
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
    )


@contextmanager
def vhost() -> Iterator[str]:
    """A throwaway virtual host; yields its URL."""
    name = f"esb-bench-{uuid.uuid4().hex[:8]}"
    subprocess.run(["rabbitmqctl", "-q", "add_vhost", name], check=True)
    subprocess.run(["rabbitmqctl", "-q", "set_permissions", "-p", name, "guest", ".*", ".*", ".*"], check=True)
    try:
        yield f"{BROKER}/{name}"
    finally:
        subprocess.run(["rabbitmqctl", "-q", "delete_vhost", name], check=True)


@contextmanager
def scratch_database(admin_url: str) -> Iterator[str]:
    """A throwaway PostgreSQL database, made and dropped through ``admin_url``; yields its URL."""
    name = f"esb_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield str(make_url(admin_url).set(database=name))
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


async def declare_queues(url: str) -> None:
    """The plain loops' input queue and everyone's output queue (quorum, as the bus declares its own)."""
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        exchange = await channel.declare_exchange(OUT_EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)
        quorum = {"x-queue-type": "quorum"}
        output = await channel.declare_queue(OUT_QUEUE, durable=True, arguments=quorum)
        await output.bind(exchange, "#")
        await channel.declare_queue(IN_QUEUE, durable=True, arguments=quorum)


async def fill(url: str, exchange: str, routing_key: str, count: int, *, first: int = 0, window: int = 1000) -> None:
    """Publish ``count`` orders, confirmed in windows (not timed)."""
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        target = await channel.get_exchange(exchange) if exchange else channel.default_exchange
        for start in range(first, first + count, window):
            batch = [order_message(n) for n in range(start, min(first + count, start + window))]
            await asyncio.gather(*(target.publish(m, routing_key) for m in batch))


async def queue_depth(channel: aio_pika.abc.AbstractChannel, name: str) -> int:
    queue = await channel.declare_queue(name, passive=True)
    return queue.declaration_result.message_count or 0


def write_route(routes_dir: Path, url: str, name: str = "bench-orders") -> None:
    """The bus's side: one route file, as an integration team would write it, with an AMQP target."""
    routes_dir.mkdir(parents=True, exist_ok=True)
    route = {
        "name": name,
        "interface": "BENCH-001",
        "source": {"types": ["production.order.released"]},
        "transform": "mes.production_order.v1",
        "target": {"adapter": "amqp", "settings": {"url": url, "exchange": OUT_EXCHANGE}},
    }
    (routes_dir / f"{name}.yaml").write_text(yaml.safe_dump(route))
