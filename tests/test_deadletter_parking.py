"""Dead letters parked in the store by the drainer: what is kept of them, and that each is kept once."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from datetime import datetime

import aio_pika

from bus.publisher import PublishOutcome
from bus.topology import DEAD_QUEUE
from deadletter.parking import ParkingStore
from deadletter.record import RawDeadLetter
from deadletter.selection import Selection
from deadletter.service import DeadLetterService
from deadletter.shape import message_shape
from tests.support.broker import queue_depth
from tests.support.routes import write_route
from tests.support.target import wait_for
from tests.test_dlq_support import ROOT, Store, esb_env, parking_bus, publish_orders, publish_raw


async def test_rejected_message_is_parked_with_attempts_and_business_keys(routes_dir, target, database_url, amqp_url):
    write_route(routes_dir, "orders-reject", target.url)
    target.default_script = [400]
    store = Store(database_url)
    async with parking_bus(amqp_url, routes_dir, database_url):
        first, second = await publish_orders(amqp_url, ["4711", "4712"], correlation_id="txn-77")
        await store.wait_for_count(2)
    service = DeadLetterService(store.engine)
    page = await service.list(Selection())
    by_id = {item.message_id: item for item in page.items}
    assert set(by_id) == {first, second}
    parked = await service.show(by_id[first].id)
    assert parked.status == "parked"
    assert parked.route == "orders-reject"
    assert parked.reason == "rejected"
    assert parked.type == "production.order.released"
    assert parked.correlation_id == "txn-77"
    assert parked.business_keys == {"order_number": "4711"}
    assert parked.error_class == "PermanentError"
    assert "400" in parked.error_message
    assert [(a.attempt, a.error_class) for a in parked.attempt_history] == [(1, "PermanentError")]
    assert parked.attempt_history[0].error_message == parked.error_message
    assert parked.payload["order_number"] == "4711"  # the envelope is kept whole
    assert parked.properties["message_id"] == first
    assert parked.headers["x-esb-route"] == "orders-reject"
    assert parked.headers["x-esb-plant"] == "1000"
    # both failed the same way: one failure kind, whatever the order number or the target's port
    assert by_id[first].fingerprint == by_id[second].fingerprint
    assert parked.shape == message_shape(parked.error_message)
    assert not any(ch.isdigit() for ch in parked.shape)
    assert await queue_depth(amqp_url, DEAD_QUEUE) == 0
    store.close()


async def test_exhausted_retries_are_parked_with_every_attempt(routes_dir, target, sqlite_url, amqp_url):
    write_route(routes_dir, "orders-down", target.url, retry={"attempts": 3, "backoff": ["200ms"]})
    target.default_script = [503] * 3
    store = Store(sqlite_url)
    async with parking_bus(amqp_url, routes_dir, sqlite_url):
        (message_id,) = await publish_orders(amqp_url, ["900"])
        await store.wait_for_count(1)
    (row,) = store.rows()
    parked = await DeadLetterService(store.engine).show(row.id)
    assert parked.message_id == message_id
    assert parked.reason == "exhausted"
    assert parked.attempts == 3
    history = parked.attempt_history
    assert [a.attempt for a in history] == [1, 2, 3]
    assert all(a.error_class == "TransientError" and "503" in a.error_message for a in history)
    times = [a.failed_at for a in history]
    assert all(isinstance(t, datetime) for t in times) and times == sorted(times)
    assert len(target.received) == 3
    store.close()


async def test_invalid_and_unroutable_messages_are_parked_with_their_reason(routes_dir, target, sqlite_url, amqp_url):
    write_route(routes_dir, "orders-strict", target.url)
    store = Store(sqlite_url)
    async with parking_bus(amqp_url, routes_dir, sqlite_url) as runtime:
        (invalid_id,) = await publish_raw(amqp_url, {"plant": "1000", "order_number": "555"})
        returned = aio_pika.Message(b"{}", message_id="returned-1", type="production.order.released")
        assert await runtime.publisher.publish("", "esb.route.gone", returned) is PublishOutcome.PARKED
        await store.wait_for_count(2)
    rows = {row.message_id: row for row in store.rows()}
    invalid, unroutable = rows[invalid_id], rows["returned-1"]
    assert invalid.reason == "invalid" and invalid.error_class == "InvalidMessage"
    assert invalid.route == "orders-strict"
    keys = (await DeadLetterService(store.engine).show(invalid.id)).business_keys
    assert keys == {"order_number": "555"}  # found even though the payload does not validate
    assert unroutable.reason == "unroutable" and unroutable.route is None
    assert "esb.route.gone" in unroutable.error_message
    assert target.received == []
    store.close()


async def test_a_dead_letter_redelivered_after_its_insert_is_stored_once(
    bus, routes_dir, target, database_url, amqp_url
):
    """The drainer died after committing the row and before acking: the broker delivers it again."""
    write_route(routes_dir, "orders-once", target.url)
    target.default_script = [400]
    async with bus(database_url):  # no drainer: the dead letter waits on the queue
        await publish_orders(amqp_url, ["31"])
        await wait_for(lambda: len(target.received) == 1, what="the rejected delivery")
    await wait_for_depth(amqp_url, 1)
    store = Store(database_url)
    connection = await aio_pika.connect(amqp_url)
    channel = await connection.channel()
    queue = await channel.declare_queue(DEAD_QUEUE, passive=True)
    message = await queue.get(no_ack=False)
    parking = ParkingStore(store.engine)
    assert parking.park_batch([RawDeadLetter.from_message(message)]) == [True]
    await connection.close()  # dies before the ack: the message goes back to the queue
    assert store.count() == 1
    async with parking_bus(amqp_url, routes_dir, database_url) as runtime:
        await wait_for(lambda: runtime.drainer is not None and runtime.drainer.acked >= 1, what="the redelivery")
    assert await queue_depth(amqp_url, DEAD_QUEUE) == 0
    assert store.count() == 1
    store.close()


async def wait_for_depth(amqp_url: str, depth: int, timeout: float = 15.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while await queue_depth(amqp_url, DEAD_QUEUE) != depth:
        assert loop.time() < deadline, f"{DEAD_QUEUE} never held {depth} message(s)"
        await asyncio.sleep(0.1)


async def test_drainer_killed_mid_stream_stores_every_dead_letter_once(
    bus, routes_dir, target, database_url, amqp_url, tmp_path
):
    count = 1500
    write_route(routes_dir, "orders-many", target.url)
    async with bus(database_url):  # dead-letters invalid messages onto the queue, parks nothing
        ids = await publish_raw(amqp_url, *({"plant": "1000", "n": n} for n in range(count)))
        await wait_for_depth(amqp_url, count, timeout=120)
    store = Store(database_url)
    log = tmp_path / "drainer.log"
    env = esb_env(amqp_url, database_url, ESB_ROUTES_DIR=str(routes_dir), ESB_HTTP_PORT="0")

    def start() -> subprocess.Popen[bytes]:
        with log.open("ab") as out:
            return subprocess.Popen([sys.executable, "-m", "bus.cli", "run"], env=env, stdout=out, stderr=out, cwd=ROOT)

    worker = start()
    try:
        await store.wait_for_count(count // 4, timeout=30)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        killed_at = store.count()
        assert killed_at < count, "the kill came too late to test anything"
        worker = start()
        await store.wait_for_count(count, timeout=60)
        await wait_for_depth(amqp_url, 0, timeout=30)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=20)
    message_ids = [row.message_id for row in store.rows()]
    print(f"killed after {killed_at} of {count} parked")
    assert sorted(message_ids) == sorted(ids)  # each once, none lost
    assert "Traceback" not in log.read_text()
    store.close()
