"""``esb dlq``: list with filters and grouping, show, replay (one, bulk, interrupted), edit, discard, audit."""

from __future__ import annotations

import asyncio
import getpass
import json
import signal
import sys

from bus.canonical import QualityHoldPlaced
from bus.envelope import Envelope, Source
from bus.wire import to_amqp
from tests.support.payloads import production_order, quality_hold
from tests.support.routes import write_route
from tests.support.target import HttpTarget, wait_for
from tests.test_dlq_support import ROOT, Store, esb, esb_env, parking_bus, publish_orders, publish_raw

UNUSED_PORT_URL = "http://127.0.0.1:9/refused"


async def test_list_filters_and_groups(routes_dir, target, sqlite_url, amqp_url):
    write_route(routes_dir, "orders-a", target.url, source={"types": ["production.order.released"], "plants": ["1000"]})
    write_route(
        routes_dir,
        "orders-b",
        UNUSED_PORT_URL,
        source={"types": ["production.order.released"], "plants": ["2000"]},
        retry={"attempts": 1, "backoff": ["200ms"]},
    )
    target.default_script = [400]
    store = Store(sqlite_url)
    async with parking_bus(amqp_url, routes_dir, sqlite_url):
        rejected = await publish_orders(amqp_url, ["A-1", "A-2"])
        (tagged,) = await publish_orders(amqp_url, ["4711"], correlation_id="txn-4711")
        refused = await publish_orders(amqp_url, ["B-1", "B-2"], plant="2000")
        (invalid,) = await publish_raw(amqp_url, {"plant": "1000", "order_number": "X-9"})
        await store.wait_for_count(6)

    async def listed(*filters: str) -> dict:
        ran = await esb(amqp_url, sqlite_url, "dlq", "list", "--json", *filters)
        assert ran.returncode == 0, ran.stderr
        return ran.json()

    everything = await listed()
    assert everything["total"] == 6
    assert {i["message_id"] for i in everything["items"]} == {*rejected, tagged, *refused, invalid}
    assert {i["message_id"] for i in (await listed("--route", "orders-b"))["items"]} == set(refused)
    assert [i["message_id"] for i in (await listed("--key", "4711"))["items"]] == [tagged]
    assert [i["message_id"] for i in (await listed("--correlation-id", "txn-4711"))["items"]] == [tagged]
    assert [i["message_id"] for i in (await listed("--dead-reason", "invalid"))["items"]] == [invalid]
    assert {i["message_id"] for i in (await listed("--error", "TransientError"))["items"]} == set(refused)
    assert {i["message_id"] for i in (await listed("--error", "Bad Request"))["items"]} == {*rejected, tagged}
    assert (await listed("--type", "production.order.released"))["total"] == 6
    assert (await listed("--type", "quality.hold.placed"))["total"] == 0
    assert (await listed("--newer-than", "1h"))["total"] == 6
    assert (await listed("--older-than", "1h"))["total"] == 0
    assert (await listed("--status", "replayed"))["total"] == 0
    paged = await listed("--page", "3", "--page-size", "2")
    assert (paged["page"], paged["total"], len(paged["items"])) == (3, 6, 2)
    pages = [await listed("--page", str(n), "--page-size", "4") for n in (1, 2)]
    assert len({i["id"] for p in pages for i in p["items"]}) == 6

    grouped = await listed("--group-by", "fingerprint")
    counts = sorted((g["route"], g["error_class"], g["count"]) for g in grouped["items"])
    assert counts == [
        ("orders-a", "InvalidMessage", 1),
        ("orders-a", "PermanentError", 3),
        ("orders-b", "TransientError", 2),
    ]
    biggest = grouped["items"][0]
    assert biggest["count"] == 3 and "400" in biggest["sample_error"]
    same_kind = await listed("--fingerprint", biggest["fingerprint"])
    assert {i["message_id"] for i in same_kind["items"]} == {*rejected, tagged}

    table = await esb(amqp_url, sqlite_url, "dlq", "list", "--route", "orders-a")
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["ID", "STATUS", "FAILED", "ROUTE", "TYPE", "REASON", "TRIES", "KEYS", "ERROR"]
    assert sum("order_number=4711" in line for line in lines) == 1
    assert lines[-1] == "page 1 of 1, 4 in all"
    groups_table = await esb(amqp_url, sqlite_url, "dlq", "list", "--group-by", "fingerprint")
    assert biggest["fingerprint"] in groups_table.stdout
    store.close()


async def park_rejected(amqp_url, routes_dir, target, database_url, numbers, route="orders-fix", **route_fields):  # type: ignore[no-untyped-def]
    """Dead letters of ``numbers``: the target refuses each once, then takes it (fixed)."""
    write_route(routes_dir, route, target.url, **route_fields)
    target.default_script = [400]
    store = Store(database_url)
    async with parking_bus(amqp_url, routes_dir, database_url):
        ids = await publish_orders(amqp_url, numbers)
        await store.wait_for_count(len(numbers), timeout=60)
    return store, ids


async def test_replay_delivers_once_with_the_same_message_id(routes_dir, target, database_url, amqp_url):
    store, (message_id,) = await park_rejected(amqp_url, routes_dir, target, database_url, ["4711"])
    (row,) = store.rows()
    async with parking_bus(amqp_url, routes_dir, database_url):
        ran = await esb(amqp_url, database_url, "dlq", "replay", str(row.id), "--reason", "MES master data fixed")
        assert ran.returncode == 0, ran.stderr
        assert f"dead letter {row.id} replayed to (default exchange)/esb.route.orders-fix" in ran.stdout
        await wait_for(lambda: message_id in target.applied, what="the replayed delivery")
        again = await esb(amqp_url, database_url, "dlq", "replay", str(row.id))
        await asyncio.sleep(0.5)  # a second delivery would arrive now
    assert again.returncode == 1
    assert f"dead letter {row.id} is replayed; only parked dead letters can be replayed" in again.stderr
    assert target.attempts()[message_id] == 2  # the refused delivery, then the replay
    assert target.received[-1].key == message_id
    assert target.received[-1].json()["order_number"] == "4711"
    (replayed,) = store.rows()
    assert (replayed.status, replayed.replays) == ("replayed", 1)
    (entry,) = store.audit(row.id)
    assert (entry.action, entry.actor, entry.reason) == ("replay", getpass.getuser(), "MES master data fixed")
    assert entry.details["result"] == "replayed" and entry.details["routing_key"] == "esb.route.orders-fix"
    store.close()


async def test_a_replay_that_fails_again_is_parked_anew_with_a_fresh_attempt_count(
    routes_dir, target, sqlite_url, amqp_url
):
    write_route(routes_dir, "orders-still-down", target.url, retry={"attempts": 2, "backoff": ["200ms"]})
    target.default_script = [503] * 4
    store = Store(sqlite_url)
    async with parking_bus(amqp_url, routes_dir, sqlite_url):
        (message_id,) = await publish_orders(amqp_url, ["77"])
        await store.wait_for_count(1)
        ran = await esb(amqp_url, sqlite_url, "dlq", "replay", "--route", "orders-still-down", "--actor", "ops-jane")
        assert ran.returncode == 0, ran.stderr
        await store.wait_for_count(2)
    first, second = store.rows()
    assert first.message_id == second.message_id == message_id
    assert (first.status, second.status) == ("replayed", "parked")
    assert first.attempts == second.attempts == 2  # counted from 1 again after the replay
    assert json.loads(second.headers["x-esb-errors"])[0]["attempt"] == 1
    assert second.headers["x-esb-replay-of"] == first.id
    assert store.audit(first.id)[0].actor == "ops-jane"
    store.close()


async def test_bulk_replay_stopped_after_n_then_resumed_delivers_each_once(routes_dir, target, sqlite_url, amqp_url):
    numbers = [f"BULK-{n}" for n in range(8)]
    store, ids = await park_rejected(amqp_url, routes_dir, target, sqlite_url, numbers, route="orders-bulk")
    async with parking_bus(amqp_url, routes_dir, sqlite_url):
        first = await esb(amqp_url, sqlite_url, "dlq", "replay", "--route", "orders-bulk", "--limit", "3")
        assert first.returncode == 0, first.stderr
        assert "3 replayed, 0 parked again, 0 failed" in first.stdout
        assert store.count(status="parked") == 5
        rest = await esb(amqp_url, sqlite_url, "dlq", "replay", "--route", "orders-bulk", "--batch-size", "2")
        assert rest.returncode == 0, rest.stderr
        assert "5 replayed" in rest.stdout
        assert "replayed 2/5" in rest.stderr and "replayed 5/5" in rest.stderr  # progress
        nothing = await esb(amqp_url, sqlite_url, "dlq", "replay", "--route", "orders-bulk")
        assert "0 replayed" in nothing.stdout
        await wait_for(lambda: set(ids) <= set(target.applied), what="every replayed delivery")
        await asyncio.sleep(0.5)
    attempts = target.attempts()
    assert {key: attempts[key] for key in ids} == {key: 2 for key in ids}  # refused once, replayed once
    assert store.count(status="replayed") == len(ids)
    store.close()


async def test_bulk_replay_killed_midway_then_run_again_applies_each_once(routes_dir, target, sqlite_url, amqp_url):
    numbers = [f"KILL-{n}" for n in range(60)]
    store, ids = await park_rejected(amqp_url, routes_dir, target, sqlite_url, numbers, route="orders-kill")
    async with parking_bus(amqp_url, routes_dir, sqlite_url):
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bus.cli",
            *("dlq", "replay", "--group", store.rows()[0].fingerprint, "--batch-size", "5", "--rate", "20"),
            env=esb_env(amqp_url, sqlite_url),
            cwd=ROOT,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        assert process.stderr is not None
        progress = b""
        while not progress.startswith(b"replayed "):
            progress = await asyncio.wait_for(process.stderr.readline(), timeout=60)
            assert progress, "the replay ended without progress"
        assert progress.startswith(b"replayed 5/60"), progress
        process.send_signal(signal.SIGKILL)
        await process.wait()
        interrupted_at = store.count(status="replayed")
        assert 0 < interrupted_at < len(ids)
        again = await esb(amqp_url, sqlite_url, "dlq", "replay", "--route", "orders-kill")
        assert again.returncode == 0, again.stderr
        await wait_for(lambda: set(ids) <= set(target.applied), timeout=30, what="every replayed delivery")
        await asyncio.sleep(0.5)
    print(f"replay killed after {interrupted_at} of {len(ids)} marked replayed")
    assert store.count(status="parked") == 0
    assert set(target.applied) == set(ids)  # nothing lost; the target applied each message once
    # a message published but not yet marked at the kill is published again: same id, absorbed by idempotency
    assert all(target.attempts()[key] in (2, 3) for key in ids)
    store.close()


async def test_edit_is_validated_and_the_replay_sends_the_edited_payload(routes_dir, target, database_url, amqp_url):
    write_route(routes_dir, "orders-edit", target.url)
    store = Store(database_url)
    async with parking_bus(amqp_url, routes_dir, database_url):
        (message_id,) = await publish_raw(amqp_url, _order_without_number())
        await store.wait_for_count(1)
        (row,) = store.rows()

        async def edit(patch: list, *extra: str):  # type: ignore[no-untyped-def]
            return await esb(
                amqp_url, database_url, "dlq", "edit", str(row.id), "--patch", "-", *extra, stdin=json.dumps(patch)
            )

        missing_path = await edit([{"op": "replace", "path": "/order_number", "value": "4711"}], "--reason", "x")
        assert missing_path.returncode == 1
        assert "the patch does not apply: operation 1 (replace '/order_number')" in missing_path.stderr
        invalid = await edit(
            [
                {"op": "add", "path": "/order_number", "value": "4711"},
                {"op": "replace", "path": "/quantity", "value": "-5"},
            ],
            "--reason",
            "x",
        )
        assert invalid.returncode == 1
        assert "the edited payload is not a valid production.order.released (v1): quantity:" in invalid.stderr
        fix = [{"op": "add", "path": "/order_number", "value": "4711"}]
        no_reason = await edit(fix)
        assert no_reason.returncode == 1 and "a reason is required to edit" in no_reason.stderr
        assert store.audit(row.id) == []  # nothing refused was kept
        edited = await edit(fix, "--reason", "ERP sent the order without its number", "--actor", "ops-jane")
        assert edited.returncode == 0, edited.stderr
        shown = (await esb(amqp_url, database_url, "dlq", "show", str(row.id), "--json")).json()
        assert shown["payload"]["order_number"] == "4711"
        assert "order_number" not in shown["original_payload"]  # the original is kept
        assert shown["edited"] is True
        replayed = await esb(amqp_url, database_url, "dlq", "replay", str(row.id), "--actor", "ops-jane")
        assert replayed.returncode == 0, replayed.stderr
        await wait_for(lambda: message_id in target.applied, what="the edited message at the target")
    assert target.applied[message_id].json()["order_number"] == "4711"
    assert target.attempts()[message_id] == 1
    edit_entry, replay_entry = store.audit(row.id)
    assert (edit_entry.action, edit_entry.actor, edit_entry.reason) == (
        "edit",
        "ops-jane",
        "ERP sent the order without its number",
    )
    assert edit_entry.details == {"patch": fix}
    assert replay_entry.action == "replay" and replay_entry.details["edited"] is True
    store.close()


def _order_without_number() -> dict:
    order = production_order()
    del order["order_number"]
    return order


async def test_discard_needs_a_reason_and_is_audited(routes_dir, target, sqlite_url, amqp_url):
    store, _ = await park_rejected(amqp_url, routes_dir, target, sqlite_url, ["D-1"], route="orders-discard")
    (row,) = store.rows()
    no_reason = await esb(amqp_url, sqlite_url, "dlq", "discard", str(row.id))
    assert no_reason.returncode == 1
    assert "say why: a reason is required to discard a dead letter" in no_reason.stderr
    blank = await esb(amqp_url, sqlite_url, "dlq", "discard", str(row.id), "--reason", "  ")
    assert blank.returncode == 1
    assert store.count(status="parked") == 1
    done = await esb(amqp_url, sqlite_url, "dlq", "discard", str(row.id), "--reason", "order cancelled in ERP")
    assert done.returncode == 0, done.stderr
    (entry,) = store.audit(row.id)
    assert (entry.action, entry.actor, entry.reason) == ("discard", getpass.getuser(), "order cancelled in ERP")
    listed = (await esb(amqp_url, sqlite_url, "dlq", "list", "--status", "discarded", "--json")).json()
    assert [i["id"] for i in listed["items"]] == [row.id]
    replay = await esb(amqp_url, sqlite_url, "dlq", "replay", str(row.id))
    assert replay.returncode == 1 and "is discarded" in replay.stderr
    shown = await esb(amqp_url, sqlite_url, "dlq", "show", str(row.id))
    assert "discard by" in shown.stdout and "order cancelled in ERP" in shown.stdout
    missing = await esb(amqp_url, sqlite_url, "dlq", "show", "999999")
    assert missing.returncode == 1 and "no dead letter 999999" in missing.stderr
    store.close()


async def test_unroutable_dead_letter_is_replayed_to_the_events_exchange(routes_dir, sqlite_url, amqp_url):
    store = Store(sqlite_url)
    late = HttpTarget()
    await late.start()
    write_route(routes_dir, "holds-late", late.url, source={"types": ["quality.hold.placed"]})
    async with parking_bus(amqp_url, routes_dir, sqlite_url) as runtime:
        hold = Envelope.wrap(QualityHoldPlaced.model_validate(quality_hold()), Source(system="QMS", interface="t"))
        # published where nothing is bound, as a mistyped routing key would be
        await runtime.publisher.publish("", "esb.route.nowhere", to_amqp(hold))
        await store.wait_for_count(1)
        (row,) = store.rows()
        assert row.route is None and row.reason == "unroutable"
        ran = await esb(amqp_url, sqlite_url, "dlq", "replay", str(row.id))
        assert ran.returncode == 0, ran.stderr
        assert "replayed to esb.events/quality.hold.placed.1000" in ran.stdout
        await wait_for(lambda: str(hold.message_id) in late.applied, what="the hold at the route bound now")
    await late.stop()
    store.close()
