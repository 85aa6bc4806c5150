"""The drainer: takes dead letters off ``esb.deadletter`` and parks them in the store.

A dead letter is acknowledged only after its row is committed. If the process dies in between, the
broker delivers it again and the store recognises it (same message id and failure time): stored once.
"""

from __future__ import annotations

import asyncio
import logging

from aio_pika.abc import AbstractChannel, AbstractIncomingMessage, AbstractQueue, AbstractRobustConnection
from sqlalchemy import Engine

from bus.engine import _quietly
from bus.metrics import dead_letter_parked
from bus.topology import DEAD_QUEUE
from deadletter.parking import ParkingStore
from deadletter.record import RawDeadLetter, describe

log = logging.getLogger(__name__)

DRAIN_PREFETCH = 200
RETRY_PAUSE = 2.0


class DeadLetterDrainer:
    def __init__(self, connection: AbstractRobustConnection, engine: Engine, prefetch: int = DRAIN_PREFETCH) -> None:
        self._connection = connection
        self._store = ParkingStore(engine)
        self._prefetch = prefetch
        self._channel: AbstractChannel | None = None
        self._queue: AbstractQueue | None = None
        self._consumer_tag: str | None = None
        self._in_flight: set[asyncio.Task[None]] = set()
        self.parked = 0
        self.acked = 0
        """Dead letters taken off the queue: parked now, or found parked before (redelivered)."""

    async def start(self) -> None:
        self._channel = await self._connection.channel()
        await self._channel.set_qos(prefetch_count=self._prefetch)
        self._queue = await self._channel.declare_queue(DEAD_QUEUE, passive=True)
        self._consumer_tag = await self._queue.consume(self._on_message)
        log.info("parking dead letters from %s", DEAD_QUEUE)

    async def _on_message(self, message: AbstractIncomingMessage) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._in_flight.add(task)
        try:
            await self._park(message)
        finally:
            if task is not None:
                self._in_flight.discard(task)

    async def _park(self, message: AbstractIncomingMessage) -> None:
        try:
            raw = RawDeadLetter.from_message(message)
            stored = await self._store.park(raw)
        except Exception as exc:
            log.warning("cannot park dead letter %s (%s); it stays queued", message.message_id, exc)
            stored = None
        if stored is None:
            await asyncio.sleep(RETRY_PAUSE)
            await _quietly(message.nack(requeue=True))
            return
        if stored:
            self.parked += 1
            letter = describe(raw)  # it was described when parked; not the hot path
            dead_letter_parked(letter.route, letter.reason)
            log.info("parked dead letter %s", message.message_id)
        await message.ack()
        self.acked += 1

    async def stop(self, grace: float = 10.0) -> None:
        if self._queue is not None and self._consumer_tag is not None:
            await _quietly(self._queue.cancel(self._consumer_tag))
        if self._in_flight:
            await asyncio.wait(self._in_flight, timeout=grace)
        if self._channel is not None and not self._channel.is_closed:
            await self._channel.close()
        await self._store.close()
