"""Benchmark: what a journal entry and a delivery record cost as the store's tables grow, and how fast they prune.

Fills a new SQLite store through the bus's own writers (``Journal``, ``IdempotencyStore``), as a route does, each
message a new transaction (correlation id = message id). It does so once with the time-ordered ids the bus mints
(UUID version 7) and once with random ids (version 4, as an application may publish), each in a store of its
own. At each size it times 10 flushes of 760 journal rows (0.2 s of journal at 1,900 msg/s; each row a message's
receipt and delivery, as the journal writes a delivery) and 200 batches of 40 delivery records: CPU time of this
process per row. Then it deletes every row with the pruner's chunked
delete, comparing chunk sizes first, and prints rows per second and the median and longest chunk (how long the
store's write lock is held at a time).

    .venv/bin/python ops/bench/store_growth.py [--max-rows 1000000] [--ids both|time-ordered|random]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import Column, Engine, Table
from workload import order

from bus.envelope import Envelope, Source
from bus.idempotency import IdempotencyStore
from bus.ids import new_message_id
from bus.journal import Event, Journal
from bus.retention import PRUNE_CHUNK, delete_chunk
from bus.store import create_store_engine, delivered, journal

SIZES = (0, 100_000, 300_000, 1_000_000, 3_000_000)
FLUSH, FLUSHES = 760, 10
RECORD_BATCHES, RECORD_BATCH = 200, 40
CHUNKS = (1000, 500, 250)
"""Chunk sizes compared, ``COMPARED_CHUNKS`` transactions each, before the rest goes in the pruner's chunks."""
WARM_CHUNKS, COMPARED_CHUNKS = 20, 30
IDS: dict[str, Callable[[], uuid.UUID]] = {"time-ordered": new_message_id, "random": uuid.uuid4}
"""How message ids are made: as the bus mints them, or as an application publishing its own uuid4 ids."""
TEMPLATE = Envelope.wrap(order(0), Source(system="ERP", interface="BENCH"))


def envelopes(count: int, new_id: Callable[[], uuid.UUID]) -> list[Envelope]:
    made = (new_id() for _ in range(count))
    return [TEMPLATE.model_copy(update={"message_id": each, "correlation_id": str(each)}) for each in made]


async def journal_rows(writer: Journal, count: int, new_id: Callable[[], uuid.UUID]) -> None:
    for envelope in envelopes(count, new_id):
        writer.record(Event.RECEIVED, envelope, route="bench-orders")
        writer.record(Event.DELIVERED, envelope, route="bench-orders")  # shares the receipt's row
    await writer.flush()


async def delivery_records(store: IdempotencyStore, count: int, new_id: Callable[[], uuid.UUID]) -> None:
    await asyncio.gather(*(store.record("bench-orders", new_id()) for _ in range(count)))


async def cpu_per_row(rows: int, work) -> float:
    began = time.process_time()
    await work
    return (time.process_time() - began) / rows * 1e6


def prune_in_chunks(
    engine: Engine, table: Table, moment: Column[datetime], chunk: int, limit: int | None = None
) -> tuple[int, float, float, float]:
    """Delete rows ``chunk`` at a time, without the pruner's pauses, until none are left (or ``limit`` chunks):
    rows, seconds, the median and the longest chunk in seconds."""
    cutoff = datetime.now(UTC) + timedelta(days=1)
    times: list[float] = []
    total = 0
    while limit is None or len(times) < limit:
        started = time.perf_counter()
        removed = delete_chunk(engine, table, moment, cutoff, chunk)
        times.append(time.perf_counter() - started)
        total += removed
        if removed < chunk:
            break
    return total, sum(times), statistics.median(times), max(times)


def report_prune(engine: Engine) -> None:
    """Warm a table's pages, compare chunk sizes, then delete the rest in the pruner's chunks."""
    print("\nprune (rows/s without the pruner's pauses; chunk: how long it holds the write lock, ms):")
    print(f"  {'table':<14}{'chunk':>6}{'rows':>11}{'rows/s':>9}{'median':>8}{'longest':>9}")
    runs = [*((size, COMPARED_CHUNKS) for size in CHUNKS), (PRUNE_CHUNK, None)]
    for table, moment in ((journal, journal.c.at), (delivered, delivered.c.delivered_at)):
        prune_in_chunks(engine, table, moment, PRUNE_CHUNK, WARM_CHUNKS)
        for chunk, limit in runs:
            rows, seconds, median, longest = prune_in_chunks(engine, table, moment, chunk, limit)
            rate, median_ms, longest_ms = rows / seconds, median * 1e3, longest * 1e3
            print(f"  {table.name:<14}{chunk:>6}{rows:>11,}{rate:>9,.0f}{median_ms:>8.0f}{longest_ms:>9.0f}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-rows", type=int, default=1_000_000, help="largest journal size measured")
    parser.add_argument("--ids", choices=["both", *IDS], default="both", help="message ids: both kinds, or one")
    options = parser.parse_args()
    kinds = list(IDS) if options.ids == "both" else [options.ids]
    with tempfile.TemporaryDirectory(prefix="store-growth-") as directory:
        for kind in kinds:
            engine = create_store_engine(f"sqlite:///{directory}/{kind}.sqlite3")
            await grow(engine, IDS[kind], kind, options.max_rows)
            report_prune(engine)
            engine.dispose()


async def grow(engine: Engine, new_id: Callable[[], uuid.UUID], kind: str, max_rows: int) -> None:
    """Fill the store up to each size in turn and print the CPU time of a journal entry and a delivery record."""
    writer, store = Journal(engine), IdempotencyStore(engine)
    print(f"\n{kind} message ids")
    print(f"{'journal rows':>14}{'entry CPU us':>14}{'delivery rows':>15}{'record CPU us':>15}")
    size = 0
    for target in (s for s in SIZES if s <= max_rows):
        while size < target:
            await journal_rows(writer, 10_000, new_id)
            await delivery_records(store, 5_000, new_id)
            size += 10_000
        entry = await cpu_per_row(FLUSH * FLUSHES, _flushes(writer, new_id))
        records = RECORD_BATCHES * RECORD_BATCH
        record = await cpu_per_row(records, _record_batches(store, new_id))
        print(f"{size:>14,}{entry:>14.1f}{size // 2:>15,}{record:>15.1f}", flush=True)
        size += FLUSH * FLUSHES
    await writer.close()
    await store.close()


async def _flushes(writer: Journal, new_id: Callable[[], uuid.UUID]) -> None:
    for _ in range(FLUSHES):
        await journal_rows(writer, FLUSH, new_id)


async def _record_batches(store: IdempotencyStore, new_id: Callable[[], uuid.UUID]) -> None:
    for _ in range(RECORD_BATCHES):
        await delivery_records(store, RECORD_BATCH, new_id)


if __name__ == "__main__":
    asyncio.run(main())
