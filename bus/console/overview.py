"""What the Routes view shows: the catalogue, this process's traffic per route, and the queues' depth."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from aio_pika.abc import AbstractChannel, AbstractConnection
from prometheus_client.metrics import MetricWrapperBase

from bus import metrics
from bus.engine import RouteWorker
from bus.routespec import RouteSpec

log = logging.getLogger(__name__)

QUEUE_DEADLINE = 3.0
"""Seconds to look at every route's queue; past it the depths still unknown are shown as unknown."""
TRAFFIC = {
    "failures": metrics.FAILURES,
    "retried": metrics.RETRIED,
    "dead_lettered": metrics.DEAD_LETTERED,
    "duplicates": metrics.DUPLICATES,
    "filtered": metrics.FILTERED,
    "in_flight": metrics.IN_FLIGHT,
}
"""Metrics of this process summed per route (over adapter, type, error class and reason)."""


def per_route(metric: MetricWrapperBase) -> dict[str, float]:
    """The metric's samples summed by their ``route`` label."""
    totals: dict[str, float] = defaultdict(float)
    for family in metric.collect():
        for sample in family.samples:
            if "route" in sample.labels:
                totals[sample.labels["route"]] += sample.value
    return totals


async def _declare(channel: AbstractChannel, queue: str) -> dict[str, int]:
    declared = await channel.declare_queue(queue, passive=True)
    result = declared.declaration_result
    return {"messages": result.message_count or 0, "consumers": result.consumer_count or 0}


async def queue_states(connection: AbstractConnection, queues: Iterable[str]) -> dict[str, dict[str, int] | None]:
    """Messages ready and consumers of each queue (all processes), by passive declare; None where unknown."""
    states: dict[str, dict[str, int] | None] = dict.fromkeys(queues)
    channel: AbstractChannel | None = None
    try:
        async with asyncio.timeout(QUEUE_DEADLINE):
            for queue in states:
                if channel is None or channel.is_closed:
                    channel = await connection.channel()
                try:
                    states[queue] = await _declare(channel, queue)
                except Exception as exc:  # a missing queue closes the channel: the next one opens another
                    log.debug("console: no depth for %s: %s", queue, exc)
                    channel = None
    except Exception as exc:  # broker away or slow: the routes are still shown, their depth as unknown
        log.info("console: queue depths not all known: %s", exc or type(exc).__name__)
    finally:
        if channel is not None and not channel.is_closed:
            with contextlib.suppress(Exception):
                await channel.close()
    return states


async def route_overview(
    routes: Sequence[RouteSpec], workers: Sequence[RouteWorker], connection: AbstractConnection
) -> list[dict[str, Any]]:
    """One entry per route of the catalogue, in catalogue order."""
    running = {worker.route.name: worker for worker in workers}
    traffic = {name: per_route(metric) for name, metric in TRAFFIC.items()}
    queues = await queue_states(connection, [route.queue for route in routes])
    return [
        {
            "name": route.name,
            "interface": route.interface,
            "description": route.description,
            "state": route.state.value,
            "types": list(route.source.types),
            "plants": list(route.source.plants),
            "transform": route.transform,
            "target": route.target.adapter,
            "consuming": route.name in running,
            "traffic": {
                "delivered": running[route.name].delivered if route.name in running else 0,
                **{name: int(values.get(route.name, 0)) for name, values in traffic.items()},
            },
            "queue": {"name": route.queue, **(queues[route.queue] or {"messages": None, "consumers": None})},
        }
        for route in routes
    ]
