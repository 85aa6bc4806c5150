"""``esb run``: the whole bus in one process, from a checked route catalogue to consuming routes and HTTP."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Iterable
from datetime import datetime, timedelta

import aio_pika
from aio_pika.abc import AbstractRobustConnection
from aiohttp import web
from sqlalchemy import text

from bus import gc_tuning
from bus.catalogue import LoadedRoute
from bus.console.routes import console_routes
from bus.engine import RouteWorker
from bus.envelope import Envelope, Source, utcnow
from bus.http import build_app
from bus.idempotency import IdempotencyStore
from bus.journal import Event, Journal
from bus.publisher import Publisher, PublishOutcome
from bus.retention import RetentionPolicy, StorePruner
from bus.settings import Settings
from bus.store import create_store_engine
from bus.topology import apply_topology
from deadletter.api import admin_routes
from deadletter.drainer import DeadLetterDrainer
from deadletter.service import DeadLetterService
from legacy_adapters.base import InboundAdapter, InboundContext
from legacy_adapters.registry import inbound_adapter_class
from legacy_adapters.rest_inbound import rest_inbound_routes

log = logging.getLogger(__name__)


async def connect(settings: Settings, role: str) -> AbstractRobustConnection:
    """A robust connection (reconnects, redeclares, resumes consumers) named for the broker's UI."""
    return await aio_pika.connect_robust(settings.amqp_url, client_properties={"connection_name": f"esb-{role}"})


class BusRuntime:
    """Owns the broker connections, the store, the route workers and the HTTP server of one process."""

    def __init__(
        self, settings: Settings, routes: list[LoadedRoute], *, serve_http: bool = True, park_dead_letters: bool = False
    ) -> None:
        """``park_dead_letters``: drain ``esb.deadletter`` into the store (``esb run`` does)."""
        self.settings = settings
        self.routes = routes
        self.serve_http = serve_http
        self.park_dead_letters = park_dead_letters
        self.drainer: DeadLetterDrainer | None = None
        self.workers: list[RouteWorker] = []
        self.inbound: list[InboundAdapter] = []
        self.journal: Journal | None = None
        self.publisher: Publisher | None = None
        self._connections: list[AbstractRobustConnection] = []
        self._runner: web.AppRunner | None = None
        self._engine = None
        self.idempotency: IdempotencyStore | None = None
        self.pruner: StorePruner | None = None
        self.http_port: int | None = None

    async def start(self) -> None:
        self._engine = create_store_engine(self.settings.database_url)
        self.idempotency = IdempotencyStore(self._engine)
        if self.settings.journal:
            self.journal = Journal(self._engine)
            self.journal.start()
        self.pruner = StorePruner(self._engine, self.retention_policy())
        self.pruner.start()
        consume = await connect(self.settings, "consume")
        publish = await connect(self.settings, "publish")
        self._connections = [consume, publish]
        await apply_topology(consume, [route.spec for route in self.routes])
        self.publisher = Publisher(publish, deadline=self.settings.publish_timeout)
        for route in self.routes:
            if route.spec.consumes:
                worker = RouteWorker(
                    route, consume, self.publisher, self.idempotency, self.settings.prefetch, self.journal
                )
                await worker.start()
                self.workers.append(worker)
        if self.park_dead_letters:
            self.drainer = DeadLetterDrainer(consume, self._engine)
            await self.drainer.start()
        self.inbound = self._inbound_adapters()
        if self.serve_http:
            await self._start_http()
        for adapter in self.inbound:
            await adapter.start()
        log.info(
            "bus running: %d route(s) consuming of %d, %d inbound adapter(s)",
            len(self.workers),
            len(self.routes),
            len(self.inbound),
        )

    def retention_policy(self) -> RetentionPolicy:
        return RetentionPolicy(
            journal=timedelta(seconds=self.settings.journal_retention),
            delivered=timedelta(seconds=self.settings.idempotency_window),
        )

    def _inbound_adapters(self) -> list[InboundAdapter]:
        assert self.publisher is not None and self._engine is not None
        adapters = []
        for route in self.routes:
            if not route.spec.ingests:
                continue
            for entry, settings in zip(route.spec.inbound, route.inbound_settings, strict=True):
                context = InboundContext(
                    route=route.spec.name,
                    source=Source(system=entry.system, interface=route.spec.interface),
                    publish=self._publish_envelopes,
                    store=self._engine,
                    config_dir=route.file.parent,
                )
                adapters.append(inbound_adapter_class(entry.adapter)(settings, context))
        return adapters

    async def _start_http(self) -> None:
        assert self.publisher is not None
        endpoints = rest_inbound_routes(self._publish_envelope, self.settings.max_body_bytes)
        for adapter in self.inbound:
            endpoints.extend(adapter.http_routes())
        endpoints.extend(admin_routes(DeadLetterService(self._engine, self.publisher)))
        consume = self._connections[0]
        endpoints.extend(console_routes([r.spec for r in self.routes], self.workers, self._engine, consume))
        app = build_app(
            endpoints,
            self.health,
            max_body_bytes=self.settings.max_body_bytes,
            api_token=self.settings.api_token,
        )
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.settings.http_host, self.settings.http_port)
        await site.start()
        self.http_port = self._runner.addresses[0][1]
        log.info("HTTP on http://%s:%d", self.settings.http_host, self.http_port)

    async def _publish_envelopes(self, envelopes: Iterable[Envelope]) -> list[PublishOutcome]:
        """Publish for an inbound adapter, and journal what became of each message."""
        assert self.publisher is not None
        batch = list(envelopes)
        sent_at = utcnow()
        outcomes = await self.publisher.publish_envelopes(batch)
        if self.journal is not None:
            for envelope, outcome in zip(batch, outcomes, strict=True):
                self._journal_published(envelope, outcome, sent_at)
        return outcomes

    async def _publish_envelope(self, envelope: Envelope) -> PublishOutcome:
        assert self.publisher is not None
        sent_at = utcnow()
        outcome = await self.publisher.publish_envelope(envelope)
        if self.journal is not None:
            self._journal_published(envelope, outcome, sent_at)
        return outcome

    def _journal_published(self, envelope: Envelope, outcome: PublishOutcome, sent_at: datetime) -> None:
        """Journaled at the moment it was sent: a route may take it before the confirm is back."""
        assert self.journal is not None
        if outcome is PublishOutcome.CONFIRMED:
            self.journal.record(Event.PUBLISHED, envelope, detail=f"from {envelope.source.interface}", at=sent_at)
        else:
            detail = "unroutable: no route takes this type and plant"
            self.journal.record(Event.PARKED, envelope, detail=detail, at=sent_at)

    async def health(self) -> dict[str, str]:
        broker = "ok" if self._connections and all(not c.is_closed for c in self._connections) else "disconnected"
        try:
            await asyncio.to_thread(self._ping_store)
            store = "ok"
        except Exception as exc:
            store = f"error: {type(exc).__name__}"
        return {"broker": broker, "store": store}

    def _ping_store(self) -> None:
        assert self._engine is not None
        with self._engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    async def stop(self) -> None:
        for adapter in self.inbound:
            await adapter.close()
        if self._runner is not None:
            await self._runner.cleanup()
        for worker in self.workers:
            await worker.stop()
        if self.drainer is not None:
            await self.drainer.stop()
        if self.pruner is not None:
            await self.pruner.stop()
        if self.idempotency is not None:
            await self.idempotency.close()
        if self.journal is not None:
            await self.journal.close()
        if self.publisher is not None:
            await self.publisher.close()
        for connection in self._connections:
            await connection.close()
        if self._engine is not None:
            self._engine.dispose()
        log.info("bus stopped")

    async def run_until_signalled(self) -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await self.start()
        gc_tuning.settle_after_start()
        try:
            await stop.wait()
            log.info("stopping: finishing in-flight messages")
        finally:
            await self.stop()
