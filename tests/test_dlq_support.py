"""Helpers of the dead-letter tests (no tests here): a bus that parks dead letters, the esb command, the store."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aio_pika
from sqlalchemy import Engine, func, select

from bus.canonical import ProductionOrderReleased
from bus.catalogue import load_catalogue
from bus.envelope import Envelope, Source
from bus.publisher import Publisher
from bus.runtime import BusRuntime
from bus.settings import Settings
from bus.store import create_store_engine
from bus.topology import EVENTS_EXCHANGE
from deadletter.tables import deadletter_audit, deadletters
from tests.support.payloads import production_order
from tests.support.target import wait_for

ROOT = Path(__file__).resolve().parent.parent


@asynccontextmanager
async def parking_bus(amqp_url: str, routes_dir: Path, database_url: str, **settings: Any) -> AsyncIterator[BusRuntime]:
    """The bus as ``esb run`` runs it: routes, HTTP and the dead-letter drainer."""
    config = Settings(amqp_url=amqp_url, database_url=database_url, routes_dir=routes_dir, http_port=0, **settings)
    runtime = BusRuntime(config, load_catalogue(routes_dir), park_dead_letters=True)
    await runtime.start()
    try:
        yield runtime
    finally:
        await runtime.stop()


async def publish_orders(amqp_url: str, numbers: list[str], plant: str = "1000", correlation_id: str | None = None):  # type: ignore[no-untyped-def]
    """Publish production orders as an inbound adapter would; returns their message ids."""
    connection = await aio_pika.connect_robust(amqp_url)
    publisher = Publisher(connection)
    source = Source(system="ERP", interface="test")
    envelopes = [
        Envelope.wrap(
            ProductionOrderReleased.model_validate(production_order(n, plant=plant)),
            source,
            correlation_id=correlation_id,
        )
        for n in numbers
    ]
    try:
        await asyncio.gather(*(publisher.publish_envelope(e) for e in envelopes))
    finally:
        await publisher.close()
        await connection.close()
    return [str(e.message_id) for e in envelopes]


async def publish_raw(
    amqp_url: str, *payloads: dict[str, Any], message_type: str = "production.order.released"
) -> list[str]:
    """A modern application publishing straight to the events exchange (e.g. invalid payloads); returns ids."""
    connection = await aio_pika.connect(amqp_url)
    try:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(EVENTS_EXCHANGE)
        messages = [
            aio_pika.Message(
                json.dumps(payload).encode(),
                type=message_type,
                message_id=str(uuid.uuid4()),
                content_type="application/json",
                headers={"x-esb-plant": payload.get("plant", "1000")},
            )
            for payload in payloads
        ]
        await asyncio.gather(
            *(exchange.publish(m, routing_key=f"{message_type}.{m.headers['x-esb-plant']}") for m in messages)
        )
    finally:
        await connection.close()
    return [str(m.message_id) for m in messages]


class Store:
    """Direct reads of the parking store, to check what the commands did."""

    def __init__(self, database_url: str) -> None:
        self.engine: Engine = create_store_engine(database_url)

    def count(self, **where: Any) -> int:
        query = select(func.count()).select_from(deadletters)
        for column, value in where.items():
            query = query.where(deadletters.c[column] == value)
        with self.engine.connect() as connection:
            return connection.execute(query).scalar_one()

    def rows(self) -> list[Any]:
        with self.engine.connect() as connection:
            return connection.execute(select(deadletters).order_by(deadletters.c.id)).all()

    def audit(self, deadletter_id: int) -> list[Any]:
        query = select(deadletter_audit).where(deadletter_audit.c.deadletter_id == deadletter_id)
        with self.engine.connect() as connection:
            return connection.execute(query.order_by(deadletter_audit.c.id)).all()

    async def wait_for_count(self, count: int, timeout: float = 20.0, **where: Any) -> None:
        await wait_for(lambda: self.count(**where) >= count, timeout=timeout, what=f"{count} parked {where}")

    def close(self) -> None:
        self.engine.dispose()


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def esb_env(amqp_url: str, database_url: str, **extra: str) -> dict[str, str]:
    return {**os.environ, "ESB_AMQP_URL": amqp_url, "ESB_DATABASE_URL": database_url, **extra}


async def esb(amqp_url: str, database_url: str, *args: str, stdin: str | None = None) -> Ran:
    """Run ``esb ARGS`` as an operator would, without blocking the bus running in this event loop."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bus.cli",
        *args,
        env=esb_env(amqp_url, database_url),
        cwd=ROOT,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(stdin.encode() if stdin else None), timeout=120)
    assert process.returncode is not None
    return Ran(process.returncode, out.decode(), err.decode())
