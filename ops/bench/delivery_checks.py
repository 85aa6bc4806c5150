"""Benchmark: a batch of idempotency checks on PostgreSQL, before and after ``esb_delivered`` is first analyzed.

Until autovacuum first analyzes a table (up to a minute after it was first written, longer when autovacuum is
busy), the planner guesses its contents. A new store's first burst of traffic (a go-live, a backlog drained
into a new route) runs in that window. For each size this benchmark fills a new scratch database through
``IdempotencyStore`` (autovacuum off for the table, so the window stays open), then times batches of 50 checks
on one connection: the store's lookups (one primary-key lookup per id, pipelined) against one query for all
the ids (an ``IN`` list); then the same after ``ANALYZE``. Wall-clock milliseconds per batch, medians.

    .venv/bin/python ops/bench/delivery_checks.py --postgres postgresql+psycopg://postgres@127.0.0.1/test
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Callable
from typing import Any

from workload import scratch_database

from bus.idempotency import IdempotencyStore
from bus.ids import new_message_id
from bus.store import create_store_engine

SIZES = (1_000, 10_000, 30_000, 100_000)
BATCH, BATCHES = 50, 30
ROUTE = "bench-orders"
LookUp = Callable[[Any, list[str]], object]


def in_list(cursor: Any, message_ids: list[str]) -> object:
    """One query for all the ids."""
    marks = ", ".join(["%s"] * len(message_ids))
    query = f"SELECT message_id FROM esb_delivered WHERE route = %s AND message_id IN ({marks})"
    return cursor.execute(query, (ROUTE, *message_ids)).fetchall()


def milliseconds_per_batch(connection: Any, look_up: LookUp) -> float:
    times = []
    for _ in range(BATCHES):
        message_ids = [str(new_message_id()) for _ in range(BATCH)]
        with connection.cursor() as cursor:
            started = time.perf_counter()
            look_up(cursor, message_ids)
            times.append(time.perf_counter() - started)
        connection.commit()
    return statistics.median(times) * 1e3


async def measure(admin_url: str, size: int) -> list[float]:
    """Both ways of looking up, in a new store of ``size`` delivery records, before and after ``ANALYZE``."""
    with scratch_database(admin_url) as url:
        engine = create_store_engine(url)
        store = IdempotencyStore(engine)
        connection = engine.raw_connection()
        connection.cursor().execute("ALTER TABLE esb_delivered SET (autovacuum_enabled = false)")
        connection.commit()
        await asyncio.gather(*(store.record(ROUTE, new_message_id()) for _ in range(size)))
        ways: list[LookUp] = [lambda cursor, message_ids: list(store._look_up(cursor, ROUTE, message_ids)), in_list]
        figures = [milliseconds_per_batch(connection, look_up) for look_up in ways]
        connection.cursor().execute("ANALYZE esb_delivered")
        connection.commit()
        figures += [milliseconds_per_batch(connection, look_up) for look_up in ways]
        await store.close()
        connection.close()
        engine.dispose()
    return figures


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", metavar="URL", required=True, help="an admin URL (scratch databases)")
    options = parser.parse_args()
    print(f"ms per batch of {BATCH} checks (median of {BATCHES})")
    print(f"{'':>9}{'never analyzed':>18}{'analyzed':>20}")
    print(f"{'rows':>9}{'store':>9}{'IN list':>9}{'store':>11}{'IN list':>9}")
    for size in SIZES:
        store, listed, store_analyzed, listed_analyzed = await measure(options.postgres, size)
        print(f"{size:>9,}{store:>9.2f}{listed:>9.2f}{store_analyzed:>11.2f}{listed_analyzed:>9.2f}", flush=True)


if __name__ == "__main__":
    asyncio.run(main())
