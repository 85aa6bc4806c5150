"""Test access to the local RabbitMQ: one throwaway virtual host per test, queue inspection."""

from __future__ import annotations

import asyncio
import os
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import aio_pika
from aio_pika.abc import AbstractIncomingMessage

AMQP_BASE = os.environ.get("ESB_TEST_AMQP_BASE", "amqp://guest:guest@127.0.0.1:5672")


def rabbitmqctl(*args: str) -> str:
    return subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, text=True, timeout=60).stdout


@contextmanager
def throwaway_vhost() -> Iterator[str]:
    """A fresh virtual host (so every test sees an empty topology); yields its AMQP URL."""
    name = f"esb-test-{uuid.uuid4().hex[:12]}"
    rabbitmqctl("add_vhost", name)
    rabbitmqctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")
    try:
        yield f"{AMQP_BASE}/{name}?heartbeat=10"
    finally:
        rabbitmqctl("delete_vhost", name)


async def take_messages(amqp_url: str, queue: str, count: int, timeout: float = 15.0) -> list[AbstractIncomingMessage]:
    """Consume ``count`` messages from ``queue`` (acking them), failing after ``timeout`` seconds."""
    connection = await aio_pika.connect(amqp_url)
    taken: list[AbstractIncomingMessage] = []
    try:
        channel = await connection.channel()
        source = await channel.declare_queue(queue, passive=True)
        async with asyncio.timeout(timeout):
            async with source.iterator() as messages:
                async for message in messages:
                    await message.ack()
                    taken.append(message)
                    if len(taken) >= count:
                        break
    except TimeoutError:
        raise AssertionError(f"only {len(taken)} of {count} message(s) arrived on {queue} in {timeout}s") from None
    finally:
        await connection.close()
    return taken


async def queue_depth(amqp_url: str, queue: str) -> int:
    connection = await aio_pika.connect(amqp_url)
    try:
        channel = await connection.channel()
        declared = await channel.declare_queue(queue, passive=True)
        return declared.declaration_result.message_count or 0
    finally:
        await connection.close()
