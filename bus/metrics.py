"""Prometheus metrics of the bus, served at ``GET /metrics`` on its HTTP server.

Labels stay bounded: route, adapter, message type (canonical types only), error class, dead reason and outcome;
never message ids or file names. Series are resolved once per route or inbound adapter, so counting a message
costs a counter increment, not a label lookup.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from datetime import datetime

from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.metrics import MetricWrapperBase

from bus.canonical import known_types
from bus.envelope import Envelope
from deadletter.record import REASONS

disable_created_metrics()

NO_ROUTE = "-"
"""Route label of series that belong to no route: REST inbound calls, dead letters no route took."""
UNKNOWN_TYPE = "unknown"
"""Type label of a message whose ``type`` property is not a canonical type (it is dead-lettered as invalid)."""
ROUTE_LABELS = ("route", "adapter")
DELIVERY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)
LATENCY_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 4 * 3600, 86400)

RECEIVED = Counter(
    "esb_messages_received_total", "Messages taken off a route's queue (redeliveries included)", [*ROUTE_LABELS, "type"]
)
DELIVERED = Counter("esb_messages_delivered_total", "Messages the route's target took", [*ROUTE_LABELS, "type"])
FAILURES = Counter(
    "esb_delivery_failures_total", "Failed delivery attempts, by error class", [*ROUTE_LABELS, "error_class"]
)
RETRIED = Counter("esb_messages_retried_total", "Failed deliveries scheduled for another attempt", ROUTE_LABELS)
DEAD_LETTERED = Counter(
    "esb_messages_dead_lettered_total",
    "Messages a route moved to the dead-letter exchange (reason: rejected, exhausted, invalid)",
    [*ROUTE_LABELS, "reason"],
)
DUPLICATES = Counter(
    "esb_messages_duplicates_skipped_total", "Messages already delivered on the route, skipped", ROUTE_LABELS
)
FILTERED = Counter("esb_messages_filtered_out_total", "Messages the route's filter declined", ROUTE_LABELS)
IN_FLIGHT = Gauge("esb_messages_in_flight", "Messages a route is processing now (taken, not yet settled)", ROUTE_LABELS)
DELIVERY_SECONDS = Histogram(
    "esb_delivery_duration_seconds", "Time of one delivery attempt", ROUTE_LABELS, buckets=DELIVERY_BUCKETS
)
SINCE_OCCURRED = Histogram(
    "esb_delivery_latency_since_occurred_seconds",
    "From the business event (occurred_at) to delivery at the target",
    ROUTE_LABELS,
    buckets=LATENCY_BUCKETS,
)
SINCE_PUBLISHED = Histogram(
    "esb_delivery_latency_since_published_seconds",
    "From the first publish to the bus (published_at) to delivery at the target, retries included",
    ROUTE_LABELS,
    buckets=LATENCY_BUCKETS,
)
DEAD_LETTERS_PARKED = Counter(
    "esb_dead_letters_parked_total", "Dead letters parked in the store (esb dlq), by dead reason", ["route", "reason"]
)
INBOUND_FILES = Counter(
    "esb_inbound_files_total",
    "Files an inbound adapter took, by outcome (ingested, partly-rejected, rejected, duplicate, deferred)",
    [*ROUTE_LABELS, "outcome"],
)
INBOUND_CALLS = Counter(
    "esb_inbound_calls_total",
    "SOAP and REST calls to inbound endpoints, by outcome (accepted, rejected, unauthorized, failed)",
    [*ROUTE_LABELS, "outcome"],
)
INBOUND_BYTES = Counter("esb_inbound_received_bytes_total", "Bytes of files and calls taken in", ROUTE_LABELS)
INBOUND_PUBLISHED = Counter(
    "esb_inbound_messages_published_total", "Messages inbound adapters published, broker-confirmed", ROUTE_LABELS
)


class _Children:
    """The children of one labelled metric for fixed leading labels, created on first use."""

    def __init__(self, metric: MetricWrapperBase, *fixed: str) -> None:
        self._metric = metric
        self._fixed = fixed
        self._children: dict[str, MetricWrapperBase] = {}

    def __getitem__(self, value: str) -> MetricWrapperBase:
        child = self._children.get(value)
        if child is None:
            child = self._children[value] = self._metric.labels(*self._fixed, value)
        return child


def _seconds_since(moment: datetime | None, now: float) -> float | None:
    return None if moment is None else max(0.0, now - moment.timestamp())


class RouteMetrics:
    """The series of one route and its outbound adapter."""

    def __init__(self, route: str, adapter: str) -> None:
        self._types = frozenset(known_types())
        self._received = _Children(RECEIVED, route, adapter)
        self._delivered = _Children(DELIVERED, route, adapter)
        self._failures = _Children(FAILURES, route, adapter)
        self._dead = _Children(DEAD_LETTERED, route, adapter)
        self.retried = RETRIED.labels(route, adapter)
        self.duplicates = DUPLICATES.labels(route, adapter)
        self.filtered = FILTERED.labels(route, adapter)
        self.in_flight = IN_FLIGHT.labels(route, adapter)
        self.delivery_seconds = DELIVERY_SECONDS.labels(route, adapter)
        self._since_occurred = SINCE_OCCURRED.labels(route, adapter)
        self._since_published = SINCE_PUBLISHED.labels(route, adapter)

    def received(self, message_type: str | None) -> None:
        self._received[message_type if message_type in self._types else UNKNOWN_TYPE].inc()

    def delivered(self, envelope: Envelope) -> None:
        self._delivered[envelope.type].inc()
        now = time.time()
        if (occurred := _seconds_since(envelope.occurred_at, now)) is not None:
            self._since_occurred.observe(occurred)
        if (published := _seconds_since(envelope.published_at, now)) is not None:
            self._since_published.observe(published)

    def failed(self, error_class: str) -> None:
        self._failures[error_class].inc()

    def dead_lettered(self, reason: str) -> None:
        """``reason`` as the engine says it, counted under the parking store's name (``esb dlq list``)."""
        self._dead[REASONS.get(reason, reason.replace(" ", "-"))].inc()


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class InboundMetrics:
    """The series of one inbound adapter of a route (``NO_ROUTE`` for the REST inbound)."""

    def __init__(self, route: str, adapter: str) -> None:
        self._files = _Children(INBOUND_FILES, route, adapter)
        self._calls = _Children(INBOUND_CALLS, route, adapter)
        self._bytes = INBOUND_BYTES.labels(route, adapter)
        self._published = INBOUND_PUBLISHED.labels(route, adapter)

    def file(self, outcome: str) -> None:
        self._files[outcome.replace(" ", "-")].inc()

    def call(self, outcome: str) -> None:
        self._calls[outcome].inc()

    def received_bytes(self, count: int) -> None:
        self._bytes.inc(count)

    def published(self, count: int) -> None:
        self._published.inc(count)

    def counting_calls(self, handler: Handler) -> Handler:
        """Wrap an HTTP handler whose status tells the outcome: 2xx accepted, 401 unauthorized, 4xx rejected."""

        async def counted(request: web.Request) -> web.StreamResponse:
            try:
                response = await handler(request)
            except Exception:
                self.call("failed")
                raise
            self.call(call_outcome(response.status))
            return response

        return counted


def call_outcome(status: int) -> str:
    if status < 400:
        return "accepted"
    if status == 401:
        return "unauthorized"
    return "rejected" if status < 500 else "failed"


def dead_letter_parked(route: str | None, reason: str) -> None:
    DEAD_LETTERS_PARKED.labels(route or NO_ROUTE, reason).inc()


async def metrics_endpoint(_: web.Request) -> web.Response:
    """``GET /metrics``: every metric of this process in the Prometheus text format."""
    return web.Response(body=generate_latest(REGISTRY), headers={"Content-Type": CONTENT_TYPE_LATEST})
