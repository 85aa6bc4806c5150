"""The route engine: consume a route's queue, filter, transform, deliver, and settle every message.

Settling means exactly one of: acknowledged after the target took it (or it was already delivered, or the
filter declined it); moved to a retry tier; moved to the dead-letter exchange. A move is confirmed by the
broker before the original is acknowledged, so a crash at any point leaves the message on a queue.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

from aio_pika.abc import AbstractRobustChannel, AbstractRobustConnection
from aiormq.abc import DeliveredMessage
from pydantic import ValidationError

from bus.acks import AckBatcher
from bus.catalogue import LoadedRoute
from bus.deadline import Deadline
from bus.delivery import Delivery
from bus.durations import format_duration
from bus.envelope import Envelope, utcnow
from bus.errors import DeliveryFailed, InvalidMessage, TransformFailed, TransientError
from bus.filters import RouteFilter
from bus.idempotency import IdempotencyStore
from bus.journal import Event, Journal
from bus.keylock import KeyLock
from bus.metrics import RouteMetrics
from bus.publisher import Publisher, PublishFailed
from bus.topology import DEAD_EXCHANGE, retry_exchange
from bus.wire import (
    H_ATTEMPT,
    H_DEAD_REASON,
    H_ERROR_CLASS,
    H_ERROR_MESSAGE,
    H_ERRORS,
    H_FAILED_AT,
    H_ROUTE,
    attempt_of,
    copy_message,
    from_amqp,
)
from legacy_adapters.base import AdapterContext, OutboundAdapter
from legacy_adapters.registry import adapter_class
from transformers import Document, get_transformer

log = logging.getLogger(__name__)

DELIVERY_DEADLINE = 300.0
"""Upper bound on one delivery, well under RabbitMQ's 30 minute consumer timeout."""
MAX_ERROR_HISTORY = 20
NACK_PAUSE = 1.0


class RouteWorker:
    """Runs one route: one consumer on ``esb.route.<name>`` with bounded prefetch."""

    def __init__(
        self,
        route: LoadedRoute,
        connection: AbstractRobustConnection,
        publisher: Publisher,
        idempotency: IdempotencyStore,
        prefetch: int,
        journal: Journal | None = None,
    ) -> None:
        self.route = route.spec
        self._journal = journal
        self._connection = connection
        self._publisher = publisher
        self._idempotency = idempotency
        self._prefetch = 1 if self.route.ordered else (self.route.prefetch or prefetch)
        self._filter = RouteFilter(self.route.filter)
        self._transform = get_transformer(self.route.transform)
        adapter_type = adapter_class(self.route.target.adapter)
        self.adapter: OutboundAdapter = adapter_type(
            route.adapter_settings, AdapterContext(route=self.route.name, config_dir=route.file.parent)
        )
        self._channel: AbstractRobustChannel | None = None
        self._consumer_tag: str | None = None
        self._in_flight: set[asyncio.Task[None]] = set()
        self._acks = AckBatcher()
        self._same_message = KeyLock()
        self._deadline = Deadline(DELIVERY_DEADLINE)
        self.delivered = 0
        self.metrics = RouteMetrics(self.route.name, self.route.target.adapter)

    async def start(self) -> None:
        await self.adapter.start()
        self._channel = await self._connection.channel()
        await self._channel.set_qos(prefetch_count=self._prefetch)
        await self._channel.declare_queue(self.route.queue, passive=True)
        await self._consume()
        self._channel.reopen_callbacks.add(self._on_reopen)
        log.info("route %s consuming %s (prefetch %d)", self.route.name, self.route.queue, self._prefetch)

    async def _consume(self) -> None:
        """Consume on the channel itself: aio-pika's queue consumer adds a second task to every delivery."""
        assert self._channel is not None
        underlay = await self._channel.get_underlay_channel()
        result = await underlay.basic_consume(self.route.queue, self._on_delivery)
        self._consumer_tag = result.consumer_tag

    async def _on_reopen(self, _channel: Any) -> None:
        """The robust connection reopened the channel (qos restored): consume again."""
        self._consumer_tag = None
        await self._consume()
        log.info("route %s consuming %s again", self.route.name, self.route.queue)

    async def _on_delivery(self, delivered: DeliveredMessage) -> None:
        await self._on_message(Delivery(delivered))

    async def stop(self, grace: float = 10.0) -> None:
        """Stop taking messages, let in-flight ones finish (up to ``grace`` seconds), then close."""
        if self._channel is not None:
            self._channel.reopen_callbacks.discard(self._on_reopen)
        if self._channel is not None and self._consumer_tag is not None:
            try:
                await (await self._channel.get_underlay_channel()).basic_cancel(self._consumer_tag)
            except Exception as exc:  # the channel may be gone already
                log.debug("cancel of %s failed: %s", self.route.name, exc)
        if self._in_flight:
            await asyncio.wait(self._in_flight, timeout=grace)
        await self._acks.drain()
        self._deadline.close()
        if self._channel is not None and not self._channel.is_closed:
            await self._channel.close()
        await self.adapter.close()

    async def _on_message(self, message: Delivery) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._in_flight.add(task)
        self._acks.taken(message)
        self.metrics.received(message.type)
        self.metrics.in_flight.inc()
        try:
            await self._settle(message)
        except Exception:
            log.exception("route %s: message %s left unsettled; requeueing", self.route.name, message.message_id)
            await self._requeue(message)
        finally:
            self.metrics.in_flight.dec()
            if task is not None:
                self._in_flight.discard(task)

    async def _settle(self, message: Delivery) -> None:
        attempt = attempt_of(message)
        try:
            envelope = from_amqp(message)
        except InvalidMessage as exc:
            self.metrics.failed(exc.error_class)
            await self._dead_letter(message, exc, attempt, "invalid message")
            return
        self._note(Event.RECEIVED, envelope, f"attempt {attempt}" if attempt > 1 else None)
        if not self.route.idempotency:
            await self._deliver_and_settle(message, envelope, attempt)
            return
        async with self._same_message.hold(envelope.message_id):
            await self._deliver_and_settle(message, envelope, attempt)

    async def _deliver_and_settle(self, message: Delivery, envelope: Envelope, attempt: int) -> None:
        while True:
            try:
                await self._process(envelope)
                break
            except DeliveryFailed as exc:
                failure = exc
                self.metrics.failed(exc.error_class)
            if not failure.transient or attempt >= self.route.retry.attempts:
                reason = "permanent error" if not failure.transient else "retries exhausted"
                await self._dead_letter(message, failure, attempt, reason)
                self._note(Event.DEAD_LETTERED, envelope, f"{reason} after {attempt} attempt(s): {failure}")
                return
            attempt += 1
            self.metrics.retried.inc()
            self._note(Event.RETRIED, envelope, f"attempt {attempt - 1} failed: {failure}")
            delay = self.route.retry.delay_before(attempt)
            if not self.route.ordered:
                await self._retry_later(message, failure, attempt, delay)
                return
            # ordered routes hold their place: wait and try again before taking the next message
            log.info(
                "route %s: %s failed (%s); retry %d in %gs",
                self.route.name,
                envelope.message_id,
                failure,
                attempt,
                delay,
            )
            await asyncio.sleep(delay)
        if self.route.idempotency:
            await self._idempotency.record(self.route.name, envelope.message_id)
        self._acks.ack(message)
        self.delivered += 1

    async def _process(self, envelope: Envelope) -> None:
        """Deliver once, unless already delivered or filtered out; raise ``DeliveryFailed`` on failure."""
        if self.route.idempotency and await self._idempotency.already_delivered(self.route.name, envelope.message_id):
            log.info("route %s: %s already delivered; skipping the duplicate", self.route.name, envelope.message_id)
            self.metrics.duplicates.inc()
            self._note(Event.DUPLICATE, envelope)
            return
        if not self._filter.accepts_all and not self._filter(envelope.filter_view()):
            self.metrics.filtered.inc()
            self._note(Event.FILTERED, envelope)
            return
        document = self._make_document(envelope)
        started = time.monotonic()
        try:
            with self._deadline.watch():
                await self.adapter.deliver(envelope, document)
        except DeliveryFailed:
            raise
        except TimeoutError as exc:
            raise TransientError(f"delivery did not finish within {DELIVERY_DEADLINE:g}s") from exc
        except Exception as exc:
            # an adapter bug or an unforeseen failure: retried, then parked with its description
            raise TransientError(f"adapter {self.route.target.adapter} failed: {type(exc).__name__}: {exc}") from exc
        finally:
            self.metrics.delivery_seconds.observe(time.monotonic() - started)
        self.metrics.delivered(envelope)
        self._note(Event.DELIVERED, envelope)

    def _note(self, event: Event, envelope: Envelope, detail: str | None = None) -> None:
        if self._journal is not None:
            self._journal.record(event, envelope, route=self.route.name, detail=detail)

    def _make_document(self, envelope: Envelope) -> Document:
        try:
            return self._transform(envelope)
        except DeliveryFailed:
            raise
        except (ValidationError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise TransformFailed(f"transform {self.route.transform} failed: {type(exc).__name__}: {exc}") from exc

    def _history_headers(self, message: Delivery, error: Exception, attempt: int) -> dict[str, Any]:
        error_class = error.error_class if isinstance(error, DeliveryFailed) else type(error).__name__
        try:
            history = json.loads((message.headers or {}).get(H_ERRORS) or "[]")
        except (TypeError, ValueError):
            history = []
        history.append(
            {"attempt": attempt, "class": error_class, "message": str(error)[:1000], "at": utcnow().isoformat()}
        )
        return {
            H_ROUTE: self.route.name,
            H_ERROR_CLASS: error_class,
            H_ERROR_MESSAGE: str(error)[:1000],
            H_ERRORS: json.dumps(history[-MAX_ERROR_HISTORY:]),
            H_FAILED_AT: utcnow().isoformat(),
        }

    async def _retry_later(self, message: Delivery, error: TransientError, attempt: int, delay: float):
        headers = self._history_headers(message, error, attempt - 1)
        headers[H_ATTEMPT] = attempt
        tier = format_duration(delay)
        log.info("route %s: %s failed (%s); retry %d via %s", self.route.name, message.message_id, error, attempt, tier)
        await self._move(message, retry_exchange(tier), self.route.queue, headers)

    async def _dead_letter(self, message: Delivery, error: Exception, attempt: int, reason: str) -> None:
        headers = self._history_headers(message, error, attempt)
        headers[H_ATTEMPT] = attempt
        headers[H_DEAD_REASON] = reason
        log.warning(
            "route %s: %s dead-lettered after %d attempt(s): %s", self.route.name, message.message_id, attempt, error
        )
        if await self._move(message, DEAD_EXCHANGE, self.route.name, headers):
            self.metrics.dead_lettered(reason)

    async def _move(self, message: Delivery, exchange: str, routing_key: str, headers: dict[str, Any]) -> bool:
        """Publish a copy elsewhere (confirmed), then ack the original; on failure the original stays queued."""
        try:
            await self._publisher.publish(exchange, routing_key, copy_message(message, headers))
        except PublishFailed as exc:
            log.error(
                "route %s: cannot move %s to %s (%s); requeueing", self.route.name, message.message_id, exchange, exc
            )
            await self._requeue(message)
            return False
        self._acks.ack(message)
        return True

    async def _requeue(self, message: Delivery) -> None:
        """Give the message back to the broker after a pause, so a persistent fault does not spin."""
        await asyncio.sleep(NACK_PAUSE)
        await _quietly(message.nack(requeue=True))
        self._acks.forget(message)


async def _quietly(awaitable: Any) -> None:
    """Ack/nack on a channel that may have closed: the broker redelivers the message then anyway."""
    try:
        await awaitable
    except Exception as exc:
        log.debug("settle failed: %s", exc)
