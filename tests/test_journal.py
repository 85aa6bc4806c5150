"""The journal writes a route's receipt of a message in one row with its outcome, and tells both events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alembic import command
from sqlalchemy import Engine, create_engine, func, select, text

from bus.canonical import ProductionOrderReleased
from bus.envelope import Envelope, Source
from bus.journal import Entry, Event, Journal, story
from bus.migrate import _config
from bus.store import create_store_engine, journal
from tests.support.payloads import production_order

ROUTE = "erp-orders-to-mes"
START = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)


def an_envelope() -> Envelope:
    order = ProductionOrderReleased.model_validate(production_order())
    return Envelope.wrap(order, Source(system="ERP", interface="LOIPRO"))


def told(entries: list[Entry]) -> list[tuple[datetime, str, str | None, str | None]]:
    return [(entry.at, entry.event, entry.route, entry.detail) for entry in entries]


def rows(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(journal)).scalar_one()


async def test_a_delivery_takes_one_row_and_the_story_tells_receipt_and_outcome(database_url):
    engine = create_store_engine(database_url)
    writer = Journal(engine)
    envelope = an_envelope()
    received, delivered = datetime.now(UTC), datetime.now(UTC) + timedelta(milliseconds=40)

    writer.record(Event.RECEIVED, envelope, route=ROUTE, at=received)
    writer.record(Event.DELIVERED, envelope, route=ROUTE, at=delivered)
    await writer.close()

    assert rows(engine) == 1
    assert told(story(engine, str(envelope.message_id))) == [
        (received, "received", ROUTE, None),
        (delivered, "delivered", ROUTE, None),
    ]
    engine.dispose()


async def test_a_receipt_whose_outcome_is_late_is_written_alone_and_both_are_told(sqlite_url):
    engine = create_store_engine(sqlite_url)
    writer = Journal(engine, receipt_hold=0.5)
    envelope = an_envelope()
    received = datetime.now(UTC) - timedelta(seconds=2)
    retried = received + timedelta(seconds=3)

    writer.record(Event.RECEIVED, envelope, route=ROUTE, at=received)
    await writer.flush()
    in_progress = story(engine, envelope.correlation_id)
    writer.record(
        Event.RETRIED, envelope, route=ROUTE, detail="attempt 1 failed: 503", at=received + timedelta(seconds=3)
    )
    await writer.close()

    assert told(in_progress) == [(received, "received", ROUTE, None)]
    assert told(story(engine, envelope.correlation_id)) == [
        (received, "received", ROUTE, None),
        (retried, "retried", ROUTE, "attempt 1 failed: 503"),
    ]
    assert rows(engine) == 2
    engine.dispose()


async def test_a_receipt_waiting_within_the_hold_is_kept_back_and_close_writes_it(sqlite_url):
    engine = create_store_engine(sqlite_url)
    writer = Journal(engine, receipt_hold=60)
    envelope = an_envelope()

    writer.record(Event.RECEIVED, envelope, route=ROUTE)
    await writer.flush()
    kept_back = rows(engine)
    await writer.close()

    assert kept_back == 0
    assert [entry.event for entry in story(engine, envelope.correlation_id)] == ["received"]
    engine.dispose()


async def test_every_receipt_and_outcome_of_a_busy_message_is_told_in_order(database_url):
    """Two copies received before the first outcome, a redelivery with its attempt, two routes, a publish."""
    engine = create_store_engine(database_url)
    writer = Journal(engine)
    envelope = an_envelope()
    at = [START + timedelta(seconds=n) for n in range(8)]

    writer.record(Event.PUBLISHED, envelope, detail="from LOIPRO", at=at[0])
    writer.record(Event.RECEIVED, envelope, route=ROUTE, at=at[1])
    writer.record(Event.RECEIVED, envelope, route="audit", at=at[2])
    writer.record(Event.RECEIVED, envelope, route=ROUTE, at=at[3])
    writer.record(Event.RETRIED, envelope, route=ROUTE, detail="attempt 1 failed: 503", at=at[4])
    writer.record(Event.DELIVERED, envelope, route="audit", at=at[5])
    writer.record(Event.RECEIVED, envelope, route=ROUTE, detail="attempt 2", at=at[6])
    writer.record(Event.DUPLICATE, envelope, route=ROUTE, at=at[7])
    await writer.close()

    assert told(story(engine, str(envelope.message_id))) == [
        (at[0], "published", None, "from LOIPRO"),
        (at[1], "received", ROUTE, None),
        (at[2], "received", "audit", None),
        (at[3], "received", ROUTE, None),
        (at[4], "retried", ROUTE, "attempt 1 failed: 503"),
        (at[5], "delivered", "audit", None),
        (at[6], "received", ROUTE, "attempt 2"),
        (at[7], "duplicate", ROUTE, None),
    ]
    assert rows(engine) == 6
    engine.dispose()


def test_a_journal_written_before_shared_rows_upgrades_with_its_entries(database_url):
    """A store at revision 0002 (one row per event) gains ``received_at``; its entries are told as before."""
    older = create_engine(database_url)
    with older.begin() as connection:
        command.upgrade(_config(connection), "0002")
        connection.execute(
            text(
                "INSERT INTO esb_journal (at, event, message_id, correlation_id, message_type, route)"
                " VALUES (:at, 'received', 'm-1', 'c-1', 'production.order.released', :route)"
            ),
            {"at": START, "route": ROUTE},
        )
    older.dispose()

    engine = create_store_engine(database_url)

    assert told(story(engine, "c-1")) == [(START, "received", ROUTE, None)]
    engine.dispose()
