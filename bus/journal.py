"""The message journal: each message's life (received, published, delivered, retried, dead-lettered, replayed).

Recording is fire-and-forget on the hot path: an entry is appended to an in-memory buffer and a background
task writes buffers in batches from a worker thread. If the store is down the buffer is kept, up to a bound;
beyond it the oldest entries are dropped with a warning (the journal is for people tracing a transaction:
messages themselves never depend on it). ``esb trace`` reads it back.

A route's receipt of a message waits up to ``RECEIPT_HOLD`` for the message's outcome on that route (delivered,
retried, ...) and shares its row (``received_at``): most deliveries take one row instead of two. A receipt whose
outcome takes longer is written on its own, so a delivery in progress still shows in ``esb trace``; ``story``
tells both kinds of row alike.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import NamedTuple

from sqlalchemy import Engine, or_, select

from bus.envelope import Envelope
from bus.moments import assume_utc
from bus.rawsql import RawConnection, insert_rows
from bus.store import journal

log = logging.getLogger(__name__)

RECEIPT_HOLD = 1.0
"""Seconds a receipt waits for its outcome to share a row (a few flushes, far longer than most deliveries)."""


class Event(StrEnum):
    PUBLISHED = "published"
    """An inbound adapter (file, SOAP or REST call) or a replay put it on the bus."""
    RECEIVED = "received"
    """A route's worker took it from the route's queue (the time since publishing is the route's lag)."""
    DELIVERED = "delivered"
    DUPLICATE = "duplicate"
    """Already delivered on this route: acknowledged without a second delivery."""
    FILTERED = "filtered"
    RETRIED = "retried"
    DEAD_LETTERED = "dead-lettered"
    PARKED = "parked"
    REPLAYED = "replayed"


class Entry(NamedTuple):
    """One row of the journal; its fields are the columns written, in order (the tuple goes to the driver as is)."""

    at: datetime
    event: str
    message_id: str
    correlation_id: str
    message_type: str
    route: str | None = None
    system: str | None = None
    detail: str | None = None
    received_at: datetime | None = None
    """On an outcome's row: when the route received the message (the receipt shares the row)."""


COLUMNS = Entry._fields
ReceiptKey = tuple[str, str]
"""A receipt waiting for its outcome: (message id, route)."""


class Journal:
    """Buffers entries and writes them in batches; ``record`` never blocks or raises."""

    def __init__(
        self,
        engine: Engine,
        *,
        flush_interval: float = 0.2,
        max_buffer: int = 200_000,
        receipt_hold: float = RECEIPT_HOLD,
    ) -> None:
        self._raw = RawConnection(engine)
        self._insert = insert_rows(self._raw, journal.name, COLUMNS)
        self._bind_at = self._raw.datetime_binder(journal.c.at)
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="esb-journal")
        self._flush_interval = flush_interval
        self._buffer: deque[Entry] = deque(maxlen=max_buffer)
        self._receipts: dict[ReceiptKey, Entry] = {}
        self._receipt_hold = timedelta(seconds=receipt_hold)
        self._task: asyncio.Task[None] | None = None
        self._closing = asyncio.Event()
        self._dropped_warned = False

    def record(
        self,
        event: Event,
        envelope: Envelope,
        *,
        route: str | None = None,
        detail: str | None = None,
        at: datetime | None = None,
    ) -> None:
        entry = Entry(
            at=at or datetime.now(UTC),
            event=event.value,
            message_id=str(envelope.message_id),
            correlation_id=envelope.correlation_id,
            message_type=envelope.type,
            route=route,
            system=envelope.source.system,
            detail=detail[:500] if detail else None,
        )
        if route is None:
            self._append(entry)
            return
        key = (entry.message_id, route)
        waiting = self._receipts.pop(key, None)
        if event is Event.RECEIVED and detail is None:
            if waiting is not None:  # the same message received again before its outcome: both receipts are told
                self._append(waiting)
            self._receipts[key] = entry
        else:
            self._append(entry if waiting is None else entry._replace(received_at=waiting.at))

    def _release_receipts(self, received_before: datetime | None = None) -> None:
        """Receipts still waiting for their outcome (received before ``received_before``, or all) go on their own."""
        for key in list(self._receipts):  # oldest first
            if received_before is not None and self._receipts[key].at >= received_before:
                break
            self._append(self._receipts.pop(key))

    def _append(self, entry: Entry) -> None:
        if len(self._buffer) == self._buffer.maxlen and not self._dropped_warned:
            self._dropped_warned = True
            log.warning("journal buffer full (store unreachable?): dropping its oldest entries")
        self._buffer.append(entry)

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="journal")

    async def _run(self) -> None:
        while not self._closing.is_set():
            try:
                await asyncio.wait_for(self._closing.wait(), self._flush_interval)
            except TimeoutError:
                pass
            await self.flush()

    async def flush(self) -> None:
        self._release_receipts(datetime.now(UTC) - self._receipt_hold)
        if not self._buffer:
            return
        batch = list(self._buffer)
        try:
            await asyncio.get_running_loop().run_in_executor(self._writer, self._write, batch)
        except Exception as exc:
            log.warning("journal: %d entries not written yet: %s", len(batch), exc)
            return
        for _ in range(min(len(batch), len(self._buffer))):
            self._buffer.popleft()
        self._dropped_warned = False

    def _write(self, batch: list[Entry]) -> None:
        bind_at = self._bind_at
        rows = (
            batch
            if bind_at is None
            else [entry._replace(at=bind_at(entry.at), received_at=bind_at(entry.received_at)) for entry in batch]
        )
        self._raw.run(lambda cursor: cursor.executemany(self._insert, rows))

    async def close(self) -> None:
        self._closing.set()
        if self._task is not None:
            await self._task
        self._release_receipts()
        await self.flush()
        await asyncio.get_running_loop().run_in_executor(self._writer, self._raw.close)
        self._writer.shutdown(wait=True)


def story(engine: Engine, key: str, *, limit: int = 10_000) -> list[Entry]:
    """Every entry of a business transaction (correlation id) or of one message (message id), oldest first."""
    query = (
        select(journal)
        .where(or_(journal.c.correlation_id == key, journal.c.message_id == key))
        .order_by(journal.c.at, journal.c.id)
        .limit(limit)
    )
    entries: list[Entry] = []
    with engine.connect() as connection:
        for row in connection.execute(query):
            entry = Entry(
                at=assume_utc(row.at),
                event=row.event,
                message_id=row.message_id,
                correlation_id=row.correlation_id,
                message_type=row.message_type,
                route=row.route,
                system=row.system,
                detail=row.detail,
            )
            if row.received_at is not None:
                entries.append(entry._replace(at=assume_utc(row.received_at), event=Event.RECEIVED.value, detail=None))
            entries.append(entry)
    entries.sort(key=lambda entry: entry.at)  # stable: a receipt stays before an outcome of the same instant
    return entries
