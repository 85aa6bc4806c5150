"""Keeping the store's per-message tables bounded: journal entries and delivery records past their retention
are deleted by a background task of ``esb run``.

Both tables take a row or more for every message a route handles. Left to grow, they fill the disk, and with
random message ids (an application's own, or ids derived from a document) each new row costs more: their
message id indexes take those inserts at random places, so the pages a batch touches grow with the table
(``ops/bench/store_growth.py``). Rows are deleted a chunk per transaction, so a journal or
idempotency write on the hot path never waits long behind the delete, and after each chunk the pruner pauses
as long as the chunk took: deleting from those indexes costs about as much as inserting, and SQLite has one
writer at a time, so the pruner takes at most half of the store's write time.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Column, ColumnElement, Engine, Table, delete, select, tuple_

from bus.durations import describe_duration
from bus.rawsql import sqlite_writer_lock
from bus.store import delivered, journal

log = logging.getLogger(__name__)

PRUNE_CHUNK = 250
"""Rows per delete transaction: with a million journal entries SQLite's write lock is held about 1 ms at the
median (10 at most) when message ids are time-ordered, and 3 to 12 ms (about 45 at most) when they are random.
The rows a prune deletes per second hardly depend on it (``ops/bench/store_growth.py``); how long a writer may
wait does."""
MIN_PAUSE = 0.01
"""Seconds between two chunks at least."""
PRUNE_EVERY = 600.0
"""Seconds between two prunes."""
FIRST_PRUNE_AFTER = 60.0
"""Seconds after start: a restarted bus settles its backlog first."""


@dataclass(frozen=True)
class RetentionPolicy:
    journal: timedelta
    """Journal entries older than this are deleted (``esb trace`` no longer shows them)."""
    delivered: timedelta
    """Delivery records older than this are deleted: a copy of a message arriving later is delivered again."""


@dataclass(frozen=True)
class Pruned:
    journal_entries: int
    delivery_records: int


class StopRequested(Exception):
    """The bus is stopping: the prune ends after its current chunk."""


def prune(
    engine: Engine,
    policy: RetentionPolicy,
    *,
    chunk: int = PRUNE_CHUNK,
    stop: threading.Event | None = None,
) -> Pruned:
    """Delete what is past ``policy`` (blocking; run it in a thread from async code)."""
    now = datetime.now(UTC)
    return Pruned(
        journal_entries=delete_older_than(engine, journal, journal.c.at, now - policy.journal, chunk, stop),
        delivery_records=delete_older_than(
            engine, delivered, delivered.c.delivered_at, now - policy.delivered, chunk, stop
        ),
    )


def delete_older_than(
    engine: Engine,
    table: Table,
    moment: Column[datetime],
    cutoff: datetime,
    chunk: int = PRUNE_CHUNK,
    stop: threading.Event | None = None,
) -> int:
    """Delete the rows of ``table`` whose ``moment`` is before ``cutoff``, ``chunk`` rows per transaction.

    Pauses between two chunks as long as the last one took. Raises ``StopRequested`` between two chunks once
    ``stop`` is set; what was deleted stays deleted.
    """
    stop = stop or threading.Event()
    total = 0
    while True:
        if stop.is_set():
            raise StopRequested(f"{total} rows of {table.name} deleted before the stop")
        started = time.monotonic()
        removed = delete_chunk(engine, table, moment, cutoff, chunk)
        total += removed
        if removed < chunk:
            return total
        stop.wait(max(MIN_PAUSE, time.monotonic() - started))


def delete_chunk(engine: Engine, table: Table, moment: Column[datetime], cutoff: datetime, chunk: int) -> int:
    """One transaction: delete up to ``chunk`` rows of ``table`` older than ``cutoff``; returns how many."""
    keys = list(table.primary_key.columns)
    key: ColumnElement[object] = keys[0] if len(keys) == 1 else tuple_(*keys)
    oldest = select(*keys).where(moment < cutoff).limit(chunk)
    with sqlite_writer_lock(engine) or nullcontext(), engine.begin() as connection:
        return connection.execute(delete(table).where(key.in_(oldest))).rowcount


class StorePruner:
    """Runs ``prune`` in a worker thread now and then, and logs what went."""

    def __init__(
        self,
        engine: Engine,
        policy: RetentionPolicy,
        *,
        every: float = PRUNE_EVERY,
        first_after: float = FIRST_PRUNE_AFTER,
    ) -> None:
        self._engine = engine
        self._policy = policy
        self._every = every
        self._first_after = first_after
        self._stop = threading.Event()
        self._task: asyncio.Task[None] | None = None
        self._in_thread: asyncio.Future[Pruned] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="store-pruner")

    async def _run(self) -> None:
        await asyncio.sleep(self._first_after)
        while True:
            await self.prune_now()
            await asyncio.sleep(self._every)

    async def prune_now(self) -> Pruned | None:
        """One prune; None if it failed (logged, and tried again at the next turn) or was stopped."""
        started = time.monotonic()
        self._in_thread = asyncio.ensure_future(asyncio.to_thread(prune, self._engine, self._policy, stop=self._stop))
        try:
            pruned = await asyncio.shield(self._in_thread)  # stop() waits for the thread, not cancels it
        except StopRequested:
            return None
        except Exception as exc:
            log.warning("store prune failed (tried again in %s): %s", describe_duration(self._every), exc)
            return None
        if pruned.journal_entries or pruned.delivery_records:
            log.info(
                "store pruned in %.1fs: %d journal entries older than %s, %d delivery records older than %s",
                time.monotonic() - started,
                pruned.journal_entries,
                describe_duration(self._policy.journal.total_seconds()),
                pruned.delivery_records,
                describe_duration(self._policy.delivered.total_seconds()),
            )
        return pruned

    async def stop(self) -> None:
        """Stop the schedule; a prune in progress ends after its current chunk."""
        self._stop.set()
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None
        if self._in_thread is not None:
            try:
                await self._in_thread
            except Exception:  # StopRequested, or a failure the schedule has not logged yet
                pass
            self._in_thread = None
