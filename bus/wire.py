"""How an envelope travels in AMQP: payload JSON as the body, identity in properties, the rest in headers.

A modern application can publish to ``esb.events`` directly by following the same convention: properties
``message_id`` (UUID), ``correlation_id``, ``type``, ``content_type=application/json``, and the ``x-esb-*``
headers below; the routing key is ``<type>.<plant>``.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Protocol

import aio_pika
from aio_pika.abc import AbstractMessage
from pydantic import ValidationError

from bus.canonical import UnknownMessageType
from bus.envelope import Envelope, Source, parse_payload
from bus.errors import InvalidMessage

CONTENT_TYPE = "application/json"

H_SCHEMA_VERSION = "x-esb-schema-version"
H_CAUSATION_ID = "x-esb-causation-id"
H_SOURCE_SYSTEM = "x-esb-source-system"
H_SOURCE_INTERFACE = "x-esb-source-interface"
H_PLANT = "x-esb-plant"
H_OCCURRED_AT = "x-esb-occurred-at"
H_PUBLISHED_AT = "x-esb-published-at"
# delivery history, set by the route engine
H_ATTEMPT = "x-esb-attempt"
H_ROUTE = "x-esb-route"
H_ERRORS = "x-esb-errors"
H_ERROR_CLASS = "x-esb-error-class"
H_ERROR_MESSAGE = "x-esb-error-message"
H_DEAD_REASON = "x-esb-dead-reason"
H_FAILED_AT = "x-esb-failed-at"


class ReceivedMessage(Protocol):
    """What the bus reads of a message it took: aio-pika's ``IncomingMessage`` or the route engine's ``Delivery``."""

    @property
    def body(self) -> bytes: ...
    @property
    def headers(self) -> Any: ...
    @property
    def type(self) -> str | None: ...
    @property
    def message_id(self) -> str | None: ...
    @property
    def correlation_id(self) -> str | None: ...
    @property
    def timestamp(self) -> datetime | None: ...
    @property
    def content_type(self) -> str | None: ...
    @property
    def content_encoding(self) -> str | None: ...
    @property
    def priority(self) -> int | None: ...
    @property
    def app_id(self) -> str | None: ...


def to_amqp(envelope: Envelope, *, extra_headers: dict[str, Any] | None = None) -> aio_pika.Message:
    """A persistent AMQP message for the envelope (stamps ``published_at`` if not yet set)."""
    published_at = envelope.published_at or datetime.now(UTC)
    headers: dict[str, Any] = {
        H_SCHEMA_VERSION: envelope.schema_version,
        H_SOURCE_SYSTEM: envelope.source.system,
        H_SOURCE_INTERFACE: envelope.source.interface,
        H_PLANT: envelope.plant,
        H_OCCURRED_AT: envelope.occurred_at.isoformat(),
        H_PUBLISHED_AT: published_at.isoformat(),
    }
    if envelope.causation_id:
        headers[H_CAUSATION_ID] = envelope.causation_id
    if extra_headers:
        headers.update(extra_headers)
    return aio_pika.Message(
        body=envelope.payload_json(),
        message_id=str(envelope.message_id),
        correlation_id=envelope.correlation_id,
        type=envelope.type,
        content_type=CONTENT_TYPE,
        timestamp=published_at,
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        headers=headers,
    )


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def from_amqp(message: ReceivedMessage) -> Envelope:
    """Rebuild and validate the envelope; raise ``InvalidMessage`` saying what is wrong."""
    headers = message.headers or {}
    if not message.type:
        raise InvalidMessage("message has no 'type' property")
    if not message.message_id:
        raise InvalidMessage("message has no 'message_id' property")
    try:
        message_id = uuid.UUID(message.message_id)
    except ValueError:
        raise InvalidMessage(f"message_id {message.message_id!r} is not a UUID") from None
    version_header = headers.get(H_SCHEMA_VERSION)
    try:
        payload = parse_payload(message.type, int(version_header) if version_header is not None else None, message.body)
        occurred = _text(headers.get(H_OCCURRED_AT))
        published = _text(headers.get(H_PUBLISHED_AT))
        return Envelope(
            message_id=message_id,
            correlation_id=message.correlation_id or str(message_id),
            causation_id=_text(headers.get(H_CAUSATION_ID)),
            type=message.type,
            schema_version=payload.schema_version,
            source=Source(
                system=_text(headers.get(H_SOURCE_SYSTEM)) or "unknown",
                interface=_text(headers.get(H_SOURCE_INTERFACE)) or "amqp",
            ),
            plant=payload.plant,
            occurred_at=occurred or message.timestamp or datetime.now(UTC),
            published_at=published or message.timestamp,
            payload=payload,
        )
    except (UnknownMessageType, ValidationError, ValueError) as exc:
        raise InvalidMessage(f"invalid {message.type} message: {_short(exc)}") from exc


def _short(exc: Exception, limit: int = 900) -> str:
    text = str(exc)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def attempt_of(message: ReceivedMessage) -> int:
    """The delivery attempt this is (1 for the first), from our own header, never from ``x-death``."""
    try:
        return max(1, int((message.headers or {}).get(H_ATTEMPT, 1)))
    except (TypeError, ValueError):
        return 1


def copy_message(message: ReceivedMessage | AbstractMessage, headers: dict[str, Any]) -> aio_pika.Message:
    """A persistent copy of a message with updated headers, for retry, dead-letter and parking moves."""
    merged = dict(message.headers or {})
    merged.update(headers)
    merged.pop("x-death", None)
    merged.pop("x-first-death-exchange", None)
    merged.pop("x-first-death-queue", None)
    merged.pop("x-first-death-reason", None)
    return aio_pika.Message(
        body=message.body,
        headers=merged,
        content_type=message.content_type,
        content_encoding=message.content_encoding,
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        priority=message.priority,
        correlation_id=message.correlation_id,
        message_id=message.message_id,
        timestamp=message.timestamp,
        type=message.type,
        app_id=message.app_id,
    )
