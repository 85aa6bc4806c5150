"""Store retention: journal entries and delivery records past their retention are deleted, a chunk at a time,
on SQLite and PostgreSQL, and the running bus prunes with the retention its settings give."""

from __future__ import annotations

import asyncio
import logging
import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, insert, select

from bus.canonical import ProductionOrderReleased
from bus.envelope import Envelope, Source
from bus.idempotency import IdempotencyStore
from bus.journal import Event, Journal, story
from bus.rawsql import RawConnection, insert_ignoring_duplicates
from bus.retention import Pruned, RetentionPolicy, StopRequested, StorePruner, prune
from bus.settings import Settings
from bus.store import create_store_engine, delivered, journal
from tests.support.payloads import production_order

POLICY = RetentionPolicy(journal=timedelta(days=14), delivered=timedelta(days=7))
NOW = datetime.now(UTC)


def _envelope() -> Envelope:
    order = ProductionOrderReleased.model_validate(production_order())
    return Envelope.wrap(order, Source(system="ERP", interface="TEST"))


async def _journal_at(engine: Engine, envelope: Envelope, *moments: datetime) -> None:
    """Entries written the way the bus writes them (raw driver rows)."""
    writer = Journal(engine)
    for moment in moments:
        writer.record(Event.RECEIVED, envelope, route="orders", at=moment)
    await writer.close()


def _record_delivered(engine: Engine, message_id: uuid.UUID, at: datetime) -> None:
    """A delivery record written the way the idempotency store writes them, at a chosen time."""
    raw = RawConnection(engine)
    statement = insert_ignoring_duplicates(raw, delivered.name, ["route", "message_id", "delivered_at"])
    try:
        raw.run(lambda cursor: cursor.execute(statement, ("orders", str(message_id), at)))
    finally:
        raw.close()


def _count(engine: Engine, table) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(table)).scalar_one()


async def test_entries_and_records_past_their_retention_go_and_the_rest_stay(database_url):
    engine = create_store_engine(database_url)
    old, kept = _envelope(), _envelope()
    await _journal_at(engine, old, NOW - timedelta(days=20), NOW - timedelta(days=15))
    await _journal_at(engine, kept, NOW - timedelta(days=13), NOW - timedelta(hours=1))
    with engine.begin() as connection:  # a row written through SQLAlchemy (its own timestamp format on SQLite)
        connection.execute(
            insert(journal).values(
                at=NOW - timedelta(days=30), event="received", message_id=str(old.message_id),
                correlation_id=old.correlation_id, message_type=old.type,
            )
        )  # fmt: skip
    forgotten, remembered = uuid.uuid4(), uuid.uuid4()
    _record_delivered(engine, forgotten, NOW - timedelta(days=8))
    _record_delivered(engine, remembered, NOW - timedelta(days=6))
    idempotency = IdempotencyStore(engine)
    fresh = uuid.uuid4()
    await idempotency.record("orders", fresh)
    try:
        pruned = await asyncio.to_thread(prune, engine, POLICY, chunk=2)  # 2 rows a transaction: chunks in turn

        assert (pruned.journal_entries, pruned.delivery_records) == (3, 1)
        assert story(engine, str(old.message_id)) == []
        assert [entry.at for entry in story(engine, str(kept.message_id))] == [
            NOW - timedelta(days=13),
            NOW - timedelta(hours=1),
        ]
        assert [await idempotency.already_delivered("orders", m) for m in (forgotten, remembered, fresh)] == [
            False,
            True,
            True,
        ]
        assert await asyncio.to_thread(prune, engine, POLICY) == Pruned(0, 0)
    finally:
        await idempotency.close()
        engine.dispose()


def test_a_prune_asked_to_stop_ends_between_chunks(sqlite_url):
    engine = create_store_engine(sqlite_url)
    for _ in range(3):
        _record_delivered(engine, uuid.uuid4(), NOW - timedelta(days=30))
    stop = threading.Event()
    stop.set()
    try:
        with pytest.raises(StopRequested):
            prune(engine, POLICY, chunk=1, stop=stop)
        assert _count(engine, delivered) == 3
    finally:
        engine.dispose()


async def test_the_pruner_runs_on_its_schedule_and_says_what_it_deleted(sqlite_url, caplog):
    engine = create_store_engine(sqlite_url)
    _record_delivered(engine, uuid.uuid4(), NOW - timedelta(days=30))
    pruner = StorePruner(engine, POLICY, first_after=0, every=3600)
    caplog.set_level(logging.INFO, logger="bus.retention")
    pruner.start()
    try:
        for _ in range(100):
            if _count(engine, delivered) == 0:
                break
            await asyncio.sleep(0.05)
        assert _count(engine, delivered) == 0
        await asyncio.sleep(0.05)
        assert "1 delivery records older than 7d" in caplog.text
    finally:
        await asyncio.wait_for(pruner.stop(), timeout=5)
        engine.dispose()


def test_retention_settings_read_days_and_hours():
    settings = Settings.from_env({"ESB_JOURNAL_RETENTION": "3d", "ESB_IDEMPOTENCY_WINDOW": "36h"})
    assert (settings.journal_retention, settings.idempotency_window) == (3 * 86400, 36 * 3600)
    with pytest.raises(ValueError, match=r"not a duration: .two weeks. \(use e\.g\. 250ms, 5s, 2m, 1h, 7d\)"):
        Settings.from_env({"ESB_JOURNAL_RETENTION": "two weeks"})


async def test_the_running_bus_prunes_with_the_retention_of_its_settings(bus, sqlite_url):
    engine = create_store_engine(sqlite_url)
    recent, older = uuid.uuid4(), uuid.uuid4()
    _record_delivered(engine, recent, NOW - timedelta(hours=20))
    _record_delivered(engine, older, NOW - timedelta(hours=30))
    try:
        async with bus(sqlite_url, idempotency_window="1d") as runtime:
            assert runtime.pruner is not None
            pruned = await runtime.pruner.prune_now()
        assert pruned is not None and pruned.delivery_records == 1
        with engine.connect() as connection:
            left = connection.execute(select(delivered.c.message_id)).scalars().all()
        assert left == [str(recent)]
    finally:
        engine.dispose()
