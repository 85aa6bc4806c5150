"""Confirmed, mandatory publishing that never loses a message silently.

Every publish waits for the broker's confirm. A message the broker returns as unroutable is parked on the
dead-letter exchange with the reason. A publish whose outcome is unknown (timeout, connection lost) is
published again with the same message id; route idempotency absorbs the duplicate.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable
from enum import Enum

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractRobustConnection
from aio_pika.exceptions import DeliveryError, PublishError
from aiormq.exceptions import AMQPError, ChannelInvalidStateError

from bus.envelope import Envelope, utcnow
from bus.topology import DEAD_EXCHANGE, EVENTS_EXCHANGE
from bus.wire import H_DEAD_REASON, H_FAILED_AT, copy_message, to_amqp

log = logging.getLogger(__name__)

H_RETURNED_EXCHANGE = "x-esb-returned-exchange"
H_RETURNED_ROUTING_KEY = "x-esb-returned-routing-key"


class PublishOutcome(Enum):
    CONFIRMED = "confirmed"
    PARKED = "parked"
    """The broker could not route it; it was parked on the dead-letter exchange instead."""


class PublishFailed(Exception):
    """The broker did not confirm the message within the deadline; the caller still owns it."""


def _cancelled_by_connection_loss() -> bool:
    """True when a CancelledError came from a dropped connection, not from cancelling our own task."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() == 0


class Publisher:
    """Publishes on its own connection, so consumers keep running when a resource alarm blocks publishers."""

    def __init__(self, connection: AbstractRobustConnection, *, deadline: float = 15.0, attempt_timeout: float = 5.0):
        self._connection = connection
        self._deadline = deadline
        self._attempt_timeout = attempt_timeout
        self._channel: AbstractChannel | None = None
        self._exchanges: dict[str, AbstractExchange] = {}
        self._lock = asyncio.Lock()

    async def _exchange(self, name: str) -> AbstractExchange:
        async with self._lock:
            if self._channel is None or self._channel.is_closed:
                self._channel = await self._connection.channel(publisher_confirms=True, on_return_raises=True)
                self._exchanges.clear()
            if name not in self._exchanges:
                self._exchanges[name] = await self._channel.get_exchange(name, ensure=False)
            return self._exchanges[name]

    async def publish_envelope(self, envelope: Envelope) -> PublishOutcome:
        return await self.publish(EVENTS_EXCHANGE, envelope.routing_key, to_amqp(envelope))

    async def publish_envelopes(self, envelopes: Iterable[Envelope]) -> list[PublishOutcome]:
        """Publish a batch with pipelined confirms; return once every one is confirmed (or parked).

        Raises ``PublishFailed`` if any is not confirmed in time; the others may have arrived, so the caller
        publishes the whole batch again later with the same message ids.
        """
        try:
            async with asyncio.TaskGroup() as group:
                tasks = [group.create_task(self.publish_envelope(envelope)) for envelope in envelopes]
        except* PublishFailed as failures:
            raise failures.exceptions[0] from None
        return [task.result() for task in tasks]

    async def publish(self, exchange: str, routing_key: str, message: aio_pika.Message) -> PublishOutcome:
        """Publish and wait for the confirm, republishing while the outcome is unknown, up to the deadline."""
        give_up_at = time.monotonic() + self._deadline
        pause = 0.05
        while True:
            try:
                target = await self._exchange(exchange)
                await target.publish(message, routing_key, mandatory=True, timeout=self._attempt_timeout)
                return PublishOutcome.CONFIRMED
            except PublishError as returned:
                return await self._park_returned(exchange, routing_key, message, returned)
            except asyncio.CancelledError:
                if not _cancelled_by_connection_loss():
                    raise
                problem: BaseException = ConnectionError("connection lost while waiting for the confirm")
            except DeliveryError as nacked:
                problem = nacked
            except (TimeoutError, ConnectionError, AMQPError, ChannelInvalidStateError, RuntimeError) as exc:
                problem = exc
            if time.monotonic() + pause > give_up_at:
                raise PublishFailed(
                    f"no confirm from the broker for {message.message_id} to {exchange}/{routing_key} "
                    f"within {self._deadline:g}s: {type(problem).__name__}: {problem}"
                )
            log.warning("publish of %s not confirmed (%s); publishing again", message.message_id, problem)
            await asyncio.sleep(pause)
            pause = min(pause * 2, 2.0)

    async def _park_returned(
        self, exchange: str, routing_key: str, message: aio_pika.Message, returned: PublishError
    ) -> PublishOutcome:
        if exchange == DEAD_EXCHANGE:
            raise PublishFailed(f"the dead-letter exchange returned {message.message_id}: topology not applied?")
        log.warning("broker returned %s (%s/%s) as unroutable; parking it", message.message_id, exchange, routing_key)
        parked = copy_message(
            message,
            {
                H_DEAD_REASON: "unroutable",
                H_RETURNED_EXCHANGE: exchange,
                H_RETURNED_ROUTING_KEY: routing_key,
                H_FAILED_AT: utcnow().isoformat(),
            },
        )
        await self.publish(DEAD_EXCHANGE, routing_key, parked)
        return PublishOutcome.PARKED

    async def close(self) -> None:
        if self._channel is not None and not self._channel.is_closed:
            await self._channel.close()
        self._channel = None
