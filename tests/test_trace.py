"""The journal and ``esb trace``: one business transaction's story across inbound, routes and replays."""

from __future__ import annotations

from datetime import datetime

from bus.journal import story
from bus.store import create_store_engine
from tests.support.payloads import production_order
from tests.support.routes import write_route
from tests.support.target import wait_for
from tests.test_dlq_support import esb, parking_bus
from tests.test_flow import post


def events(database_url: str, key: str) -> list[tuple[str, str | None]]:
    engine = create_store_engine(database_url)
    try:
        return [(e.event, e.route) for e in story(engine, key)]
    finally:
        engine.dispose()


async def test_trace_tells_a_retried_delivery_in_order(bus, routes_dir, target, database_url, amqp_url):
    write_route(routes_dir, "orders-traced", target.url, retry={"attempts": 4, "backoff": ["200ms"]})
    target.default_script = [503, 200]
    async with bus(database_url) as runtime:
        _, answer = await post(runtime, "production.order.released", production_order(), {"X-Correlation-ID": "PO-42"})
        await wait_for(lambda: answer["message_id"] in target.applied, timeout=20, what="the second attempt")
    assert events(database_url, "PO-42") == [
        ("published", None),
        ("received", "orders-traced"),
        ("retried", "orders-traced"),
        ("received", "orders-traced"),
        ("delivered", "orders-traced"),
    ]
    ran = await esb(amqp_url, database_url, "trace", "PO-42")
    assert ran.returncode == 0, ran.stderr
    lines = ran.stdout.splitlines()
    assert [line.split()[3] for line in lines[1:6]] == ["published", "received", "retried", "received", "delivered"]
    assert "503" in lines[3]  # why it was retried
    assert "attempt 2" in lines[4]
    assert lines[-1] == "5 event(s), 1 message(s), 1 route(s)"
    times = [
        datetime.fromisoformat(e["at"]) for e in (await esb(amqp_url, database_url, "trace", "PO-42", "--json")).json()
    ]
    assert times == sorted(times) and (times[-1] - times[0]).total_seconds() >= 0.2  # the backoff shows


async def test_dead_letter_and_replay_are_in_the_story(routes_dir, target, sqlite_url, amqp_url):
    write_route(routes_dir, "orders-replayed", target.url)
    target.default_script = [400, 200]
    async with parking_bus(amqp_url, routes_dir, sqlite_url) as runtime:
        _, answer = await post(runtime, "production.order.released", production_order(), {"X-Correlation-ID": "PO-43"})
        await wait_for(lambda: ("dead-lettered", "orders-replayed") in events(sqlite_url, "PO-43"), what="dead letter")
        listed = await esb(amqp_url, sqlite_url, "dlq", "list", "--json")
        parked = [item["id"] for item in listed.json()["items"]] if listed.returncode == 0 else []
        assert parked, listed.stdout + listed.stderr
        replayed = await esb(amqp_url, sqlite_url, "dlq", "replay", str(parked[0]), "--reason", "target fixed")
        assert replayed.returncode == 0, replayed.stderr
        await wait_for(lambda: answer["message_id"] in target.applied, timeout=20, what="the replayed delivery")
        await wait_for(lambda: len(events(sqlite_url, "PO-43")) == 6, what="the journal flushed")
    assert [event for event, _ in events(sqlite_url, answer["message_id"])] == [
        "published",
        "received",
        "dead-lettered",
        "replayed",
        "received",
        "delivered",
    ]


async def test_journal_can_be_switched_off(bus, routes_dir, target, sqlite_url):
    write_route(routes_dir, "orders-untraced", target.url)
    async with bus(sqlite_url, journal=False) as runtime:
        _, answer = await post(runtime, "production.order.released", production_order(), {"X-Correlation-ID": "PO-44"})
        await wait_for(lambda: answer["message_id"] in target.applied, what="delivery")
    assert events(sqlite_url, "PO-44") == []
