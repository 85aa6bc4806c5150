"""AMQP outbound: publish the document to an exchange, for modern consumers that read from a broker.

Published persistent, mandatory and with publisher confirms. The message keeps the envelope's message id
and correlation id (AMQP properties), so a consumer can deduplicate. A broker that cannot route the message
(no queue bound) answers with a return: that is permanent until someone binds a queue, so the message is
dead-lettered with the reason rather than dropped.
"""

from __future__ import annotations

import asyncio
import os

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractRobustConnection
from aio_pika.exceptions import AMQPError, ChannelInvalidStateError, DeliveryError, PublishError
from aiormq import spec
from pydantic import Field

from bus.durations import Duration
from bus.envelope import Envelope
from bus.errors import PermanentError, TransientError
from legacy_adapters.base import AdapterSettings, OutboundAdapter
from transformers import Document

DEFAULT_URL_ENV = "ESB_AMQP_URL"
PERSISTENT = int(aio_pika.DeliveryMode.PERSISTENT)


class AmqpPublishSettings(AdapterSettings):
    url: str | None = Field(default=None, description="Broker URL; default: the bus's own (ESB_AMQP_URL)")
    exchange: str = Field(min_length=1, description="Exchange to publish to (must exist)")
    routing_key: str = Field(default="{type}.{plant}", description="Template: {type}, {plant}, {route}")
    timeout: Duration = Field(default=10.0, description="Deadline for the broker's confirm")


class AmqpPublishAdapter(OutboundAdapter):
    name = "amqp"
    Settings = AmqpPublishSettings
    settings: AmqpPublishSettings

    _connection: AbstractRobustConnection | None = None
    _channel: AbstractChannel | None = None

    async def start(self) -> None:
        url = self.settings.url or os.environ.get(DEFAULT_URL_ENV, "amqp://guest:guest@127.0.0.1:5672/")
        self._connection = await aio_pika.connect_robust(
            url, client_properties={"connection_name": f"esb-target-{self.context.route}"}
        )
        self._channel = await self._connection.channel(publisher_confirms=True, on_return_raises=True)
        await self._channel.get_exchange(self.settings.exchange, ensure=True)  # fails early if it is missing

    async def deliver(self, envelope: Envelope, document: Document) -> None:
        assert self._channel is not None, "start() first"
        key = self.settings.routing_key.format_map(
            {"type": envelope.type, "plant": envelope.plant, "route": self.context.route}
        )
        properties = spec.Basic.Properties(
            content_type=document.media_type,
            message_id=str(envelope.message_id),
            correlation_id=envelope.correlation_id,
            message_type=envelope.type,
            delivery_mode=PERSISTENT,
            headers={"x-esb-route": self.context.route},
        )
        try:
            # straight to the channel of the robust connection: building an aio_pika.Message per document
            # costs more than the rest of this method. The broker's confirm is what counts: waiting for the
            # frames to be written as well (wait=True) makes the connection drain its socket per document.
            channel = await self._channel.get_underlay_channel()
            await channel.basic_publish(
                document.body,
                exchange=self.settings.exchange,
                routing_key=key,
                properties=properties,
                mandatory=True,
                timeout=self.settings.timeout,
                wait=False,
            )
        except PublishError as exc:
            raise PermanentError(f"exchange {self.settings.exchange} has no queue for {key!r}: {exc}") from exc
        except (
            TimeoutError,
            DeliveryError,
            AMQPError,
            ChannelInvalidStateError,
            ConnectionError,
            asyncio.CancelledError,
        ) as exc:
            if isinstance(exc, asyncio.CancelledError) and asyncio.current_task().cancelling():  # type: ignore[union-attr]
                raise
            raise TransientError(f"publish to {self.settings.exchange} not confirmed: {exc!r}") from exc

    async def close(self) -> None:
        if self._connection is not None:
            await self._connection.close()
