"""Replaying dead letters: republish with the same message id and a fresh delivery history.

A dead letter that names its route goes straight back to that route's queue (default exchange, routing key
``esb.route.<route>``), so other routes that took the message already do not see it again. One that no
route took (unroutable) goes back to ``esb.events`` with its routing key, for the routes bound now.
The target's idempotency (the same message id) absorbs a replay that is repeated after an interruption.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import aio_pika
from sqlalchemy import Connection, select

from bus.publisher import H_RETURNED_EXCHANGE, H_RETURNED_ROUTING_KEY, Publisher, PublishFailed, PublishOutcome
from bus.topology import EVENTS_EXCHANGE
from bus.wire import H_ATTEMPT, H_DEAD_REASON, H_ERROR_CLASS, H_ERROR_MESSAGE, H_ERRORS, H_FAILED_AT, H_ROUTE
from deadletter.record import ROUTE_QUEUE_PREFIX
from deadletter.tables import deadletters

H_REPLAY_OF = "x-esb-replay-of"
"""Set on a replayed message: the id of the dead letter it was replayed from."""
_HISTORY_HEADERS = frozenset(
    {
        H_ATTEMPT,
        H_ERRORS,
        H_ERROR_CLASS,
        H_ERROR_MESSAGE,
        H_DEAD_REASON,
        H_FAILED_AT,
        H_ROUTE,
        H_RETURNED_EXCHANGE,
        H_RETURNED_ROUTING_KEY,
        "x-death",
        "x-first-death-exchange",
        "x-first-death-queue",
        "x-first-death-reason",
        "x-delivery-count",
    }
)


@dataclass(frozen=True)
class ReplayItem:
    id: int
    route: str | None
    message_type: str | None
    plant: str | None
    routing_key: str
    body: bytes
    properties: dict[str, Any]
    headers: dict[str, Any]
    edited: bool

    @property
    def destination(self) -> tuple[str, str]:
        """(exchange, routing key) to publish the replay to."""
        if self.route:
            return "", f"{ROUTE_QUEUE_PREFIX}{self.route}"
        if self.headers.get(H_RETURNED_EXCHANGE) == EVENTS_EXCHANGE and self.headers.get(H_RETURNED_ROUTING_KEY):
            return EVENTS_EXCHANGE, str(self.headers[H_RETURNED_ROUTING_KEY])
        if self.message_type and self.plant:
            return EVENTS_EXCHANGE, f"{self.message_type}.{self.plant}"
        return EVENTS_EXCHANGE, self.routing_key

    def message(self) -> aio_pika.Message:
        """The original message with its delivery history removed: attempt counting starts again at 1."""
        properties = self.properties
        headers = {k: v for k, v in self.headers.items() if k not in _HISTORY_HEADERS}
        headers[H_REPLAY_OF] = self.id
        timestamp = properties.get("timestamp")
        return aio_pika.Message(
            body=self.body,
            headers=headers,
            message_id=properties.get("message_id"),
            correlation_id=properties.get("correlation_id"),
            type=properties.get("type"),
            content_type=properties.get("content_type"),
            content_encoding=properties.get("content_encoding"),
            timestamp=datetime.fromisoformat(timestamp) if isinstance(timestamp, str) else None,
            app_id=properties.get("app_id"),
            priority=properties.get("priority"),
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        )


@dataclass(frozen=True)
class ReplayOutcome:
    id: int
    result: Literal["replayed", "parked again", "failed"]
    exchange: str
    routing_key: str
    edited: bool
    error: str | None = None
    sent_at: datetime | None = None
    """When it was handed to the broker: the moment the journal shows for the replay."""

    @property
    def published(self) -> bool:
        return self.result != "failed"

    def details(self) -> dict[str, Any]:
        """What the audit trail keeps of a replay."""
        return {
            "result": self.result,
            "exchange": self.exchange,
            "routing_key": self.routing_key,
            "edited": self.edited,
        }


def load_items(connection: Connection, ids: Sequence[int]) -> list[ReplayItem]:
    """What a replay sends: the edited payload where there is one."""
    table = deadletters.c
    query = select(
        table.id,
        table.route,
        table.message_type,
        table.plant,
        table.routing_key,
        table.body,
        table.edited_body,
        table.properties,
        table.headers,
    ).where(table.id.in_(ids))
    rows = {row.id: row for row in connection.execute(query)}
    return [
        ReplayItem(
            id=row.id,
            route=row.route,
            message_type=row.message_type,
            plant=row.plant,
            routing_key=row.routing_key,
            body=row.edited_body if row.edited_body is not None else row.body,
            properties=row.properties,
            headers=row.headers,
            edited=row.edited_body is not None,
        )
        for row in (rows[i] for i in ids if i in rows)
    ]


async def publish_items(publisher: Publisher, items: Sequence[ReplayItem]) -> list[ReplayOutcome]:
    """Publish all, confirms pipelined; each outcome says whether the broker took it."""

    async def one(item: ReplayItem) -> ReplayOutcome:
        exchange, routing_key = item.destination
        sent_at = datetime.now(UTC)
        try:
            outcome = await publisher.publish(exchange, routing_key, item.message())
        except PublishFailed as exc:
            return ReplayOutcome(item.id, "failed", exchange, routing_key, item.edited, str(exc))
        result: Literal["replayed", "parked again"] = (
            "replayed" if outcome is PublishOutcome.CONFIRMED else "parked again"
        )
        return ReplayOutcome(item.id, result, exchange, routing_key, item.edited, sent_at=sent_at)

    return list(await asyncio.gather(*(one(item) for item in items)))
