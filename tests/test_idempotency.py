"""The idempotency store: a recorded delivery is found again, on SQLite and PostgreSQL, also while SQLite is
locked by another writer, and a long run of small round trips keeps SQLite's write-ahead log bounded."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import uuid
from pathlib import Path

from bus.idempotency import IdempotencyStore
from bus.rawsql import sqlite_writer_lock
from bus.store import create_store_engine


async def test_a_recorded_delivery_is_found_and_others_are_not(database_url):
    store = IdempotencyStore(create_store_engine(database_url))
    delivered, other = uuid.uuid4(), uuid.uuid4()
    try:
        await store.record("orders", delivered)
        checks = await asyncio.gather(
            store.already_delivered("orders", delivered),
            store.already_delivered("orders", other),
            store.already_delivered("holds", delivered),
        )
        assert checks == [True, False, False]
        await store.record("orders", delivered)  # a second record of the same delivery is no error
    finally:
        await store.close()


async def test_one_round_trip_answers_hundreds_of_checks_on_several_routes(database_url):
    """More ids than one SQLite ``IN`` list takes, and on PostgreSQL one key lookup each, in one batch with
    records: a check sees a record submitted with it, and a delivery on one route is not one on another."""
    store = IdempotencyStore(create_store_engine(database_url))
    earlier = [uuid.uuid4() for _ in range(300)]
    fresh = [uuid.uuid4() for _ in range(150)]
    try:
        await asyncio.gather(*(store.record("orders", message_id) for message_id in earlier))
        recorded_now = fresh[0]
        store_record = store.record("orders", recorded_now)
        checks = store.already_delivered
        answers = await asyncio.gather(
            store_record,
            *(checks("orders", message_id) for message_id in earlier + fresh),
            *(checks("holds", message_id) for message_id in earlier[:50]),
        )
        orders, holds = answers[1 : 1 + len(earlier) + len(fresh)], answers[1 + len(earlier) + len(fresh) :]
        assert orders == [True] * len(earlier) + [True] + [False] * (len(fresh) - 1)
        assert holds == [False] * 50
    finally:
        await store.close()


async def test_a_locked_sqlite_store_makes_a_record_wait_not_fail(sqlite_url):
    store = IdempotencyStore(create_store_engine(sqlite_url))
    message_id = uuid.uuid4()
    other_writer = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)
    try:
        assert not await store.already_delivered("orders", message_id)  # opens the store's connections
        other_writer.execute("BEGIN IMMEDIATE")  # holds the write lock
        record = asyncio.create_task(store.record("orders", message_id))
        await asyncio.sleep(0.5)
        assert not record.done(), "the record should wait for the lock"
        other_writer.execute("COMMIT")
        await asyncio.wait_for(record, timeout=10)
        assert await store.already_delivered("orders", message_id)
    finally:
        other_writer.close()
        await store.close()


async def test_checks_are_answered_while_another_writer_of_the_process_writes(sqlite_url):
    engine = create_store_engine(sqlite_url)
    store = IdempotencyStore(engine)
    writers = sqlite_writer_lock(engine)
    assert writers is not None
    delivered_before, message_id = uuid.uuid4(), uuid.uuid4()
    try:
        await store.record("orders", delivered_before)
        await asyncio.to_thread(writers.acquire)  # the journal, say, is writing
        try:
            assert await asyncio.wait_for(store.already_delivered("orders", delivered_before), timeout=5)
            assert not await asyncio.wait_for(store.already_delivered("orders", message_id), timeout=5)
            record = asyncio.create_task(store.record("orders", message_id))
            await asyncio.sleep(0.3)
            assert not record.done(), "the record should wait for the other writer"
        finally:
            writers.release()
        await asyncio.wait_for(record, timeout=10)
        assert await store.already_delivered("orders", message_id)
    finally:
        await store.close()


async def test_many_small_round_trips_keep_the_sqlite_log_bounded(sqlite_url):
    store = IdempotencyStore(create_store_engine(sqlite_url))
    log_file = Path(sqlite_url.removeprefix("sqlite:///") + "-wal")
    try:
        for _ in range(2000):
            message_id = uuid.uuid4()
            assert not await store.already_delivered("orders", message_id)
            await store.record("orders", message_id)
        log_size = await asyncio.to_thread(os.path.getsize, log_file)
    finally:
        await store.close()
    # each record commits a few pages: without checkpoints, 2,000 records leave about 15 MB of log
    assert log_size < 4_000_000
