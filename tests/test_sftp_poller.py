"""SFTP inbound against a real OpenSSH sshd and the real RabbitMQ: complete files only, confirm then archive."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from bus.envelope import Envelope, Source
from bus.publisher import PublishFailed
from bus.store import create_store_engine
from bus.wire import from_amqp
from legacy_adapters.base import InboundContext
from legacy_adapters.sftp.poller import SftpPollerAdapter, SftpPollerSettings
from tests.support.broker import queue_depth, take_messages
from tests.support.capture import CAPTURE_QUEUE, capturing_publisher
from tests.support.payloads import production_order
from tests.support.routes import write_route
from tests.support.sshd import SshServer, running_sshd
from tests.support.target import wait_for
from transformers.decoding import message_id_for


@pytest.fixture(scope="module")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SshServer]:
    with running_sshd(tmp_path_factory.mktemp("sshd")) as server:
        yield server


@pytest.fixture
def drop(sshd: SshServer) -> Path:
    folder = sshd.root / f"inbox-{uuid.uuid4().hex[:8]}"
    folder.mkdir()
    return folder


def order_lines(*numbers: str) -> bytes:
    lines = [{"type": "production.order.released", "payload": production_order(n)} for n in numbers]
    return b"".join(json.dumps(line).encode() + b"\n" for line in lines)


Publish = Callable[[list[Envelope]], object]


@asynccontextmanager
async def poller(
    sshd: SshServer, drop: Path, amqp_url: str, database_url: str, *, wrap: Callable[[Publish], Publish] | None = None,
    **settings: object,
) -> AsyncIterator[SftpPollerAdapter]:  # fmt: skip
    config = SftpPollerSettings.model_validate(
        {"server": sshd.settings(), "directory": str(drop), "decoder": "canonical.jsonl", **settings}
    )
    engine = create_store_engine(database_url)
    async with capturing_publisher(amqp_url) as (publisher, _):
        publish = publisher.publish_envelopes if wrap is None else wrap(publisher.publish_envelopes)
        context = InboundContext(
            route="erp-drop", source=Source(system="ERP", interface="ERP-DROP-001"), publish=publish, store=engine
        )
        yield SftpPollerAdapter(config, context)
    engine.dispose()


async def captured(amqp_url: str, count: int) -> list[Envelope]:
    return [from_amqp(message) for message in await take_messages(amqp_url, CAPTURE_QUEUE, count)]


def files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


async def test_complete_file_is_published_then_archived(sshd, drop, amqp_url, database_url):
    content = order_lines("4711", "4712")
    (drop / "orders-1.jsonl").write_bytes(content)
    async with poller(sshd, drop, amqp_url, database_url) as adapter:
        first = await adapter.poll_once()
        assert first.outcomes == {}  # seen once: it may still be growing
        second = await adapter.poll_once()
    assert second.outcomes == {"orders-1.jsonl": "ingested"}
    assert files(drop) == ["archive"]
    assert (drop / "archive" / "orders-1.jsonl").read_bytes() == content
    envelopes = await captured(amqp_url, 2)
    assert [e.payload.order_number for e in envelopes] == ["4711", "4712"]
    assert envelopes[0].source == Source(system="ERP", interface="ERP-DROP-001")
    digest = __import__("hashlib").sha256(content).hexdigest()
    assert envelopes[0].message_id == message_id_for(digest, "line 1")


async def test_growing_file_and_old_mtime_wait_until_stable(sshd, drop, sqlite_url, amqp_url):
    growing = drop / "orders.jsonl"
    growing.write_bytes(order_lines("1"))
    os.utime(growing, (1_000_000_000, 1_000_000_000))  # a copy that kept an old mtime is not "old enough"
    async with poller(sshd, drop, amqp_url, sqlite_url) as adapter:
        assert (await adapter.poll_once()).outcomes == {}
        with growing.open("ab") as handle:  # the sender is still writing
            handle.write(order_lines("2"))
        os.utime(growing, (1_000_000_000, 1_000_000_000))  # same mtime, different size
        assert (await adapter.poll_once()).outcomes == {}
        assert (await adapter.poll_once()).outcomes == {"orders.jsonl": "ingested"}
    assert [e.payload.order_number for e in await captured(amqp_url, 2)] == ["1", "2"]


async def test_done_marker_convention(sshd, drop, sqlite_url, amqp_url):
    (drop / "a.jsonl").write_bytes(order_lines("A"))
    (drop / "b.jsonl").write_bytes(order_lines("B"))
    (drop / "b.jsonl.done").write_bytes(b"")
    async with poller(sshd, drop, amqp_url, sqlite_url, completion="done-marker", after_ingest="delete") as adapter:
        assert (await adapter.poll_once()).outcomes == {"b.jsonl": "ingested"}
        assert (await adapter.poll_once()).outcomes == {}  # a.jsonl has no marker: never complete
    assert files(drop) == ["a.jsonl"]  # b deleted as configured, its marker with it
    assert [e.payload.order_number for e in await captured(amqp_url, 1)] == ["B"]


async def test_undecodable_file_goes_to_error_with_reason_and_nothing_is_published(sshd, drop, sqlite_url, amqp_url):
    bad = order_lines("1", "2") + b'{"type": "production.order.released", "payload": {"plant": "1000"}}\n'
    (drop / "bad.jsonl").write_bytes(bad)
    async with poller(sshd, drop, amqp_url, sqlite_url, stable_polls=2) as adapter:
        await adapter.poll_once()
        assert (await adapter.poll_once()).outcomes == {"bad.jsonl": "rejected"}
    assert files(drop / "error") == ["bad.jsonl", "bad.jsonl.reason.txt"]
    assert (drop / "error" / "bad.jsonl").read_bytes() == bad  # kept as received
    reason = (drop / "error" / "bad.jsonl.reason.txt").read_text()
    assert "line 3: invalid production.order.released" in reason and "order_number" in reason
    assert "messages published from it: 0" in reason
    assert await queue_depth(amqp_url, CAPTURE_QUEUE) == 0  # lines 1 and 2 were valid, yet not published


async def test_same_content_under_a_new_name_is_not_ingested_twice(sshd, drop, database_url, amqp_url):
    content = order_lines("77")
    (drop / "first.jsonl").write_bytes(content)
    async with poller(sshd, drop, amqp_url, database_url) as adapter:
        await adapter.poll_once()
        assert (await adapter.poll_once()).outcomes == {"first.jsonl": "ingested"}
        (drop / "again.jsonl").write_bytes(content)
        (drop / "first.jsonl").write_bytes(content)  # the same name dropped again, too
        await adapter.poll_once()
        assert (await adapter.poll_once()).outcomes == {"again.jsonl": "duplicate", "first.jsonl": "duplicate"}
    assert len(files(drop / "archive")) == 3  # nothing lost: the repeat is archived under a stamped name
    assert len(await captured(amqp_url, 1)) == 1
    assert await queue_depth(amqp_url, CAPTURE_QUEUE) == 0


async def test_unconfirmed_file_stays_and_is_ingested_again_with_the_same_ids(sshd, drop, sqlite_url, amqp_url):
    (drop / "orders.jsonl").write_bytes(order_lines("5", "6"))
    calls = []

    def lose_first_confirm(publish: Publish) -> Publish:
        async def publish_then_fail_once(envelopes: list[Envelope]) -> object:
            result = await publish(envelopes)  # the broker has them ...
            calls.append(len(envelopes))
            if len(calls) == 1:  # ... but the confirm never reached us (connection lost)
                raise PublishFailed("no confirm within the deadline")
            return result

        return publish_then_fail_once

    async with poller(sshd, drop, amqp_url, sqlite_url, wrap=lose_first_confirm) as adapter:
        await adapter.poll_once()
        assert (await adapter.poll_once()).outcomes == {"orders.jsonl": "deferred"}
        assert files(drop) == ["orders.jsonl"]  # not archived, not marked seen
        assert (await adapter.poll_once()).outcomes == {"orders.jsonl": "ingested"}
    envelopes = await captured(amqp_url, 4)  # both attempts reached the broker
    ids = [e.message_id for e in envelopes]
    assert ids[:2] == ids[2:] and len(set(ids)) == 2  # the same ids: routes deliver each once
    assert await queue_depth(amqp_url, CAPTURE_QUEUE) == 0


async def test_names_that_could_escape_are_not_taken(sshd, drop, sqlite_url, amqp_url):
    (drop / "evil\\..\\x.jsonl").write_bytes(order_lines("9"))
    (drop / "line\nbreak.jsonl").write_bytes(order_lines("9"))
    (drop / ".upload-in-progress").write_bytes(order_lines("9"))
    async with poller(sshd, drop, amqp_url, sqlite_url) as adapter:
        await adapter.poll_once()
        assert (await adapter.poll_once()).outcomes == {}
    assert len(files(drop)) == 3  # left alone for a person to look at
    assert await queue_depth(amqp_url, CAPTURE_QUEUE) == 0


async def test_route_file_with_sftp_inbound_delivers_to_the_target(bus, routes_dir, target, sqlite_url, sshd, drop):
    write_route(
        routes_dir,
        "erp-orders-drop",
        target.url,
        transform="envelope.json",
        inbound=[
            {
                "adapter": "sftp",
                "system": "ERP-PRD",
                "settings": {
                    "server": sshd.settings(),
                    "directory": str(drop),
                    "glob": "*.jsonl",
                    "poll_interval": "200ms",
                    "decoder": "canonical.jsonl",
                },
            }
        ],
    )
    (drop / "orders.jsonl").write_bytes(order_lines("3001", "3002", "3003"))
    (drop / "notes.txt").write_text("not for this route")
    async with bus(sqlite_url):
        await wait_for(lambda: len(target.applied) >= 3, timeout=20, what="three orders at the target")
        await wait_for(lambda: files(drop / "archive") == ["orders.jsonl"], what="the file archived")
    assert sorted(r.json()["payload"]["order_number"] for r in target.received) == ["3001", "3002", "3003"]
    assert {r.json()["source"]["system"] for r in target.received} == {"ERP-PRD"}
    assert files(drop) == ["archive", "notes.txt"]
