"""A message as a route worker takes it: a light read-only view of what the broker delivered.

aio-pika's ``IncomingMessage`` copies every property through a guarded ``__setattr__`` when it is built, which
costs more than the rest of taking a message. The route engine reads the properties where they arrived and
settles through the channel itself (see ``bus.acks``); it offers the attributes ``bus.wire`` reads.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiormq.abc import AbstractChannel, DeliveredMessage


class Delivery:
    __slots__ = ("_delivered", "_properties")

    def __init__(self, delivered: DeliveredMessage) -> None:
        self._delivered = delivered
        self._properties = delivered.header.properties

    @property
    def body(self) -> bytes:
        return self._delivered.body

    @property
    def channel(self) -> AbstractChannel:
        return self._delivered.channel

    @property
    def delivery_tag(self) -> int:
        return self._delivered.delivery_tag  # type: ignore[return-value]

    @property
    def redelivered(self) -> bool:
        return bool(self._delivered.redelivered)

    @property
    def headers(self) -> dict[str, Any]:
        return self._properties.headers or {}

    @property
    def type(self) -> str | None:
        return self._properties.message_type

    @property
    def message_id(self) -> str | None:
        return self._properties.message_id

    @property
    def correlation_id(self) -> str | None:
        return self._properties.correlation_id

    @property
    def timestamp(self) -> datetime | None:
        return self._properties.timestamp

    @property
    def content_type(self) -> str | None:
        return self._properties.content_type

    @property
    def content_encoding(self) -> str | None:
        return self._properties.content_encoding

    @property
    def priority(self) -> int | None:
        return self._properties.priority

    @property
    def app_id(self) -> str | None:
        return self._properties.app_id

    async def nack(self, requeue: bool = True) -> None:
        await self._delivered.channel.basic_nack(self.delivery_tag, requeue=requeue)
