"""The broker topology, declared idempotently from the route catalogue.

```
esb.events (topic, alternate-exchange esb.unrouted) --<type>.<plant>--> esb.route.<route> (quorum)
esb.unrouted (fanout) -> esb.unrouted            messages no route binds: parked, never dropped
esb.retry.<delay> (fanout) -> esb.retry.<delay>  TTL queue dead-lettering to "" = back to esb.route.<route>
esb.dead (fanout) -> esb.deadletter              permanent failures and exhausted retries
```
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractConnection
from aiormq.exceptions import ChannelPreconditionFailed

from bus.durations import parse_duration
from bus.errors import ConfigurationError
from bus.routespec import RouteSpec

log = logging.getLogger(__name__)

EVENTS_EXCHANGE = "esb.events"
UNROUTED_EXCHANGE = "esb.unrouted"
UNROUTED_QUEUE = "esb.unrouted"
DEAD_EXCHANGE = "esb.dead"
DEAD_QUEUE = "esb.deadletter"
RETRY_PREFIX = "esb.retry."
DEFAULT_RETRY_TIERS = ("1s", "5s", "30s", "2m", "10m")
POISON_DELIVERY_LIMIT = 20
"""Redeliveries after which a quorum queue dead-letters a message that keeps killing its consumer."""

_AT_LEAST_ONCE = {"x-dead-letter-strategy": "at-least-once", "x-overflow": "reject-publish"}


def retry_exchange(tier: str) -> str:
    return f"{RETRY_PREFIX}{tier}"


def _quorum(extra: dict[str, object] | None = None) -> dict[str, object]:
    return {"x-queue-type": "quorum", **(extra or {})}


def route_queue_arguments(route: RouteSpec) -> dict[str, object]:
    arguments: dict[str, object] = {"x-queue-type": route.queue_type, "x-dead-letter-exchange": DEAD_EXCHANGE}
    if route.queue_type == "quorum":
        arguments.update(_AT_LEAST_ONCE)
        arguments["x-delivery-limit"] = POISON_DELIVERY_LIMIT
    if route.ordered:
        arguments["x-single-active-consumer"] = True
    return arguments


def retry_tiers(routes: Iterable[RouteSpec]) -> list[str]:
    tiers = set(DEFAULT_RETRY_TIERS)
    for route in routes:
        tiers.update(route.retry.tiers())
    return sorted(tiers, key=parse_duration)


async def _declare_queue(
    channel: AbstractChannel, name: str, arguments: dict[str, object]
) -> aio_pika.abc.AbstractQueue:
    try:
        return await channel.declare_queue(name, durable=True, arguments=arguments)
    except ChannelPreconditionFailed as exc:
        raise ConfigurationError(
            f"queue {name} already exists with other arguments than {arguments}: {exc}. "
            "Drain and delete it (or move its messages with a shovel) before changing its type or options."
        ) from exc


async def declare_core(channel: AbstractChannel, tiers: Iterable[str]) -> None:
    """Exchanges and queues every route relies on."""
    unrouted = await channel.declare_exchange(UNROUTED_EXCHANGE, aio_pika.ExchangeType.FANOUT, durable=True)
    unrouted_queue = await _declare_queue(channel, UNROUTED_QUEUE, _quorum())
    await unrouted_queue.bind(unrouted, routing_key="")
    await channel.declare_exchange(
        EVENTS_EXCHANGE,
        aio_pika.ExchangeType.TOPIC,
        durable=True,
        arguments={"alternate-exchange": UNROUTED_EXCHANGE},
    )
    dead = await channel.declare_exchange(DEAD_EXCHANGE, aio_pika.ExchangeType.FANOUT, durable=True)
    dead_queue = await _declare_queue(channel, DEAD_QUEUE, _quorum())
    await dead_queue.bind(dead, routing_key="")
    for tier in tiers:
        exchange = await channel.declare_exchange(retry_exchange(tier), aio_pika.ExchangeType.FANOUT, durable=True)
        ttl_ms = round(parse_duration(tier) * 1000)
        queue = await _declare_queue(
            channel,
            retry_exchange(tier),
            _quorum({"x-message-ttl": ttl_ms, "x-dead-letter-exchange": "", **_AT_LEAST_ONCE}),
        )
        await queue.bind(exchange, routing_key="")


async def declare_route(channel: AbstractChannel, route: RouteSpec) -> None:
    """The route's queue and its bindings; a retired route's bindings are removed, its queue kept."""
    queue = await _declare_queue(channel, route.queue, route_queue_arguments(route))
    for key in route.source.binding_keys():
        if route.bound:
            await queue.bind(EVENTS_EXCHANGE, routing_key=key)
        else:
            await queue.unbind(EVENTS_EXCHANGE, routing_key=key)


async def apply_topology(connection: AbstractConnection, routes: list[RouteSpec]) -> None:
    """Declare everything the catalogue needs. Safe to run any number of times."""
    async with connection.channel() as channel:
        tiers = retry_tiers(routes)
        await declare_core(channel, tiers)
        for route in routes:
            await declare_route(channel, route)
    log.info("topology applied: %d routes, retry tiers %s", len(routes), ", ".join(tiers))
