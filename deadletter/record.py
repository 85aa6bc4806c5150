"""A dead letter as it comes off ``esb.deadletter``, and what the parking store keeps of it.

Taking the message apart (``describe``) runs in the store's worker thread, not on the event loop: it
parses the error history and validates the payload to find its business keys.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from aio_pika.abc import AbstractIncomingMessage
from pydantic import ValidationError

from bus.canonical import UnknownMessageType, model_for
from bus.moments import assume_utc
from bus.publisher import H_RETURNED_EXCHANGE, H_RETURNED_ROUTING_KEY
from bus.wire import (
    H_ATTEMPT,
    H_DEAD_REASON,
    H_ERROR_CLASS,
    H_ERROR_MESSAGE,
    H_ERRORS,
    H_FAILED_AT,
    H_PLANT,
    H_ROUTE,
    H_SCHEMA_VERSION,
)
from deadletter.shape import fingerprint, message_shape

log = logging.getLogger(__name__)

ROUTE_QUEUE_PREFIX = "esb.route."
REASONS = {
    "permanent error": "rejected",
    "retries exhausted": "exhausted",
    "invalid message": "invalid",
    "unroutable": "unroutable",
}
"""Dead reasons set by the bus (``x-esb-dead-reason``), as the parking store names them."""
BROKER_REASONS = {
    "delivery_limit": "delivery-limit",
    "rejected": "rejected",
    "expired": "expired",
    "maxlen": "overflow",
}
"""Reasons of messages the broker dead-lettered itself (``x-death``), e.g. one that kept crashing its consumer."""


def json_safe(value: Any) -> Any:
    """AMQP field values (bytes, timestamps, decimals, nested tables) as plain JSON values."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, datetime):
        return assume_utc(value).isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


@dataclass(frozen=True)
class RawDeadLetter:
    """The message exactly as it arrived, in JSON-safe form."""

    body: bytes
    properties: dict[str, Any]
    headers: dict[str, Any]
    routing_key: str

    @classmethod
    def from_message(cls, message: AbstractIncomingMessage) -> RawDeadLetter:
        properties = {
            "message_id": message.message_id,
            "correlation_id": message.correlation_id,
            "type": message.type,
            "content_type": message.content_type,
            "content_encoding": message.content_encoding,
            "timestamp": message.timestamp,
            "app_id": message.app_id,
            "priority": message.priority,
            "user_id": message.user_id,
            "reply_to": message.reply_to,
            "expiration": message.expiration,
        }
        return cls(
            body=message.body,
            properties=json_safe({k: v for k, v in properties.items() if v is not None}),
            headers=json_safe(dict(message.headers or {})),
            routing_key=message.routing_key or "",
        )


@dataclass(frozen=True)
class Attempt:
    attempt: int
    error_class: str
    error_message: str
    failed_at: datetime | None


@dataclass(frozen=True)
class ParkedLetter:
    """One row of the parking store with its attempts and business keys."""

    dedupe_key: str
    message_id: str | None
    correlation_id: str | None
    message_type: str | None
    schema_version: int | None
    plant: str | None
    route: str | None
    routing_key: str
    reason: str
    error_class: str
    error_message: str
    shape: str
    fingerprint: str
    attempt_count: int
    failed_at: datetime
    raw: RawDeadLetter
    attempts: tuple[Attempt, ...] = ()
    business_keys: dict[str, str] = field(default_factory=dict)


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return assume_utc(parsed)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _deaths(headers: dict[str, Any]) -> list[dict[str, Any]]:
    deaths = headers.get("x-death")
    return [d for d in deaths if isinstance(d, dict)] if isinstance(deaths, list) else []


def _history(headers: dict[str, Any]) -> tuple[Attempt, ...]:
    try:
        entries = json.loads(headers.get(H_ERRORS) or "[]")
    except (TypeError, ValueError):
        return ()
    attempts = []
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict):
            attempts.append(
                Attempt(
                    attempt=_int(entry.get("attempt")) or len(attempts) + 1,
                    error_class=str(entry.get("class") or "unknown"),
                    error_message=str(entry.get("message") or ""),
                    failed_at=_time(entry.get("at")),
                )
            )
    return tuple(attempts)


def _route(headers: dict[str, Any]) -> str | None:
    if headers.get(H_ROUTE):
        return str(headers[H_ROUTE])
    for death in _deaths(headers):
        queue = str(death.get("queue") or "")
        if queue.startswith(ROUTE_QUEUE_PREFIX):
            return queue.removeprefix(ROUTE_QUEUE_PREFIX)
    return None


def _reason(headers: dict[str, Any]) -> str:
    given = headers.get(H_DEAD_REASON)
    if given:
        return REASONS.get(str(given), str(given).replace(" ", "-"))
    deaths = _deaths(headers)
    if deaths:
        broker_reason = str(deaths[0].get("reason") or "")
        return BROKER_REASONS.get(broker_reason, broker_reason or "unknown")
    return "unknown"


def _error(raw: RawDeadLetter, reason: str) -> tuple[str, str]:
    headers = raw.headers
    if reason == "unroutable":
        exchange = headers.get(H_RETURNED_EXCHANGE) or "the default exchange"
        key = headers.get(H_RETURNED_ROUTING_KEY, raw.routing_key)
        return "Unroutable", f"no queue is bound to {exchange} for routing key {key}"
    if headers.get(H_ERROR_CLASS):
        return str(headers[H_ERROR_CLASS]), str(headers.get(H_ERROR_MESSAGE) or "")
    deaths = _deaths(headers)
    if deaths:
        death = deaths[0]
        return "BrokerDeadLettered", f"dead-lettered by the broker from {death.get('queue')}: {death.get('reason')}"
    return "Unknown", "no error recorded on the message"


def _failure_key(raw: RawDeadLetter) -> str:
    """What tells one failure of a message from another (a redelivered dead letter has the same)."""
    headers = raw.headers
    deaths = [(d.get("queue"), d.get("reason"), d.get("count"), d.get("time")) for d in _deaths(headers)]
    if headers.get(H_FAILED_AT) or deaths:
        return json.dumps([headers.get(H_FAILED_AT), deaths], default=str)
    return hashlib.sha256(raw.body + json.dumps(headers, sort_keys=True, default=str).encode()).hexdigest()


def business_keys(message_type: str | None, schema_version: int | None, body: bytes) -> dict[str, str]:
    """The payload's business keys; from the raw JSON when the payload does not validate (as far as present)."""
    if not message_type:
        return {}
    try:
        model = model_for(message_type, schema_version)
    except UnknownMessageType:
        return {}
    try:
        return model.model_validate_json(body).business_keys()
    except ValidationError:
        pass
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {name: str(data[name]) for name in model.business_key_fields if data.get(name) not in (None, "")}


def describe(raw: RawDeadLetter) -> ParkedLetter:
    """Everything the parking store records about one dead letter."""
    headers, properties = raw.headers, raw.properties
    route = _route(headers)
    reason = _reason(headers)
    error_class, error_message = _error(raw, reason)
    shape = message_shape(error_message)
    history = _history(headers)
    message_id = properties.get("message_id")
    message_type = properties.get("type")
    schema_version = _int(headers.get(H_SCHEMA_VERSION))
    failed_at = _time(headers.get(H_FAILED_AT))
    if failed_at is None:
        deaths = _deaths(headers)
        failed_at = (_time(deaths[0].get("time")) if deaths else None) or datetime.now(UTC)
    return ParkedLetter(
        dedupe_key=hashlib.sha256(f"{message_id}\x1f{_failure_key(raw)}".encode()).hexdigest(),
        message_id=message_id,
        correlation_id=properties.get("correlation_id"),
        message_type=message_type,
        schema_version=schema_version,
        plant=str(headers[H_PLANT]) if headers.get(H_PLANT) else None,
        route=route,
        routing_key=raw.routing_key,
        reason=reason,
        error_class=error_class,
        error_message=error_message,
        shape=shape,
        fingerprint=fingerprint(route, error_class, shape),
        attempt_count=_int(headers.get(H_ATTEMPT)) or len(history),
        failed_at=failed_at,
        raw=raw,
        attempts=history,
        business_keys=business_keys(message_type, schema_version, raw.body),
    )
