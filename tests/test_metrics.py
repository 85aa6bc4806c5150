"""Metrics through the real bus: messages through RabbitMQ, REST, SOAP and SFTP in, ``/metrics`` scraped over HTTP."""

from __future__ import annotations

import asyncio
import base64
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import aio_pika
import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bus.runtime import BusRuntime
from tests.support.payloads import production_order
from tests.support.routes import write_route
from tests.support.sshd import SshServer, running_sshd
from tests.support.target import wait_for
from tests.test_soap_inbound import CONFIRM_PATH, CONFIRMATION, call, client_for, soap_route

SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum"), "summary": ("_count", "_sum")}


@dataclass(frozen=True)
class Scrape:
    samples: list[tuple[str, dict[str, str], float]]
    families: dict[str, str]
    """Family name -> type, for every family the bus exposes (labelled ones without samples included)."""

    def total(self, name: str, **labels: str) -> float:
        """Sum of the samples named ``name`` whose labels include ``labels``."""
        return sum(
            value
            for sample, have, value in self.samples
            if sample == name and all(have.get(k) == v for k, v in labels.items())
        )

    def names(self) -> set[str]:
        """Every name a query can use: families with their type's suffixes, and every sample name."""
        names = {name for name, _, _ in self.samples}
        for family, kind in self.families.items():
            names.add(family)
            names.update(family + suffix for suffix in SUFFIXES.get(kind, ()))
        return names


async def scrape(port: int, headers: dict[str, str] | None = None) -> Scrape:
    async with aiohttp.ClientSession() as session:
        async with session.get(f"http://127.0.0.1:{port}/metrics", headers=headers or {}) as response:
            assert response.status == 200, await response.text()
            assert response.headers["Content-Type"].startswith("text/plain")
            text = await response.text()
    samples, families = [], {}
    for family in text_string_to_metric_families(text):
        families[family.name] = family.type
        samples.extend((s.name, dict(s.labels), s.value) for s in family.samples)
    return Scrape(samples, families)


async def scrape_until(port: int, done: Callable[[Scrape], bool], timeout: float = 20.0) -> Scrape:
    """Scrape until ``done`` holds; fail with the last scrape's relevant lines after ``timeout`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = await scrape(port)
        if done(result):
            return result
        if loop.time() > deadline:
            esb = [s for s in result.samples if s[0].startswith("esb_")]
            raise AssertionError(f"metrics did not reach the expected values in {timeout}s: {esb}")
        await asyncio.sleep(0.1)


# -- the bus under test ---------------------------------------------------------------------------------------------


def unique(prefix: str) -> str:
    """A route name no other test uses: the metrics registry lives as long as the test process."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def post(runtime: BusRuntime, message_type: str, payload: object, headers: dict[str, str] | None = None) -> int:
    url = f"http://127.0.0.1:{runtime.http_port}/api/v1/messages/{message_type}"
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    async with aiohttp.ClientSession() as session:
        async with session.post(url, data=body, headers={"Content-Type": "application/json", **(headers or {})}) as r:
            return r.status


REST = {"route": "-", "adapter": "rest"}


# -- routes ---------------------------------------------------------------------------------------------------------


async def test_delivered_message_is_counted_and_timed(bus, routes_dir, target, sqlite_url):
    route = unique("m-ok")
    write_route(routes_dir, route, target.url)
    labels = {"route": route, "adapter": "rest"}
    async with bus(sqlite_url, api_token="s3cret") as runtime:
        before = await scrape(runtime.http_port)  # no token needed for /metrics
        status = await post(
            runtime, "production.order.released", production_order(), {"Authorization": "Bearer s3cret"}
        )
        assert status == 202
        await wait_for(lambda: runtime.workers[0].delivered == 1, what="delivery")
        after = await scrape(runtime.http_port)
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{runtime.http_port}/api/v1/types") as response:
                assert response.status == 401  # the token still guards everything else
    order = {**labels, "type": "production.order.released"}
    assert after.total("esb_messages_received_total", **order) == 1
    assert after.total("esb_messages_delivered_total", **order) == 1
    assert after.total("esb_delivery_duration_seconds_count", **labels) == 1
    assert after.total("esb_delivery_duration_seconds_bucket", **labels, le="+Inf") == 1
    for latency in ("esb_delivery_latency_since_occurred_seconds", "esb_delivery_latency_since_published_seconds"):
        assert after.total(f"{latency}_count", **labels) == 1
        assert 0 <= after.total(f"{latency}_sum", **labels) < 60
    assert after.total("esb_messages_in_flight", **labels) == 0
    assert after.total("esb_delivery_failures_total", **labels) == 0
    assert (
        after.total("esb_inbound_calls_total", **REST, outcome="accepted")
        - before.total("esb_inbound_calls_total", **REST, outcome="accepted")
        == 1
    )
    assert (
        after.total("esb_inbound_messages_published_total", **REST)
        - before.total("esb_inbound_messages_published_total", **REST)
        == 1
    )
    assert after.total("esb_inbound_received_bytes_total", **REST) > before.total(
        "esb_inbound_received_bytes_total", **REST
    )


async def test_failures_retries_and_dead_letters_are_counted(bus, routes_dir, target, sqlite_url):
    route = unique("m-fail")
    write_route(routes_dir, route, target.url, retry={"attempts": 3, "backoff": ["200ms", "300ms"]})
    labels = {"route": route, "adapter": "rest"}
    recovers, refused, exhausted = (str(uuid.uuid4()) for _ in range(3))
    target.scripts.update({recovers: [503, 503, 200], refused: [400], exhausted: [503, 503, 503]})
    async with bus(sqlite_url, park_dead_letters=True) as runtime:
        for key in (recovers, refused, exhausted):
            assert await post(runtime, "production.order.released", production_order(), {"Idempotency-Key": key}) == 202
        await wait_for(lambda: runtime.drainer.parked == 2, timeout=30, what="two dead letters parked")
        await wait_for(lambda: runtime.workers[0].delivered == 1, what="the recovered delivery")
        result = await scrape(runtime.http_port)
    assert result.total("esb_delivery_failures_total", **labels, error_class="TransientError") == 5
    assert result.total("esb_delivery_failures_total", **labels, error_class="PermanentError") == 1
    assert result.total("esb_messages_retried_total", **labels) == 4
    assert result.total("esb_messages_received_total", **labels) == 7  # 3 first deliveries, 4 retries
    assert result.total("esb_messages_delivered_total", **labels) == 1
    assert result.total("esb_delivery_duration_seconds_count", **labels) == 7
    assert result.total("esb_messages_dead_lettered_total", **labels, reason="rejected") == 1
    assert result.total("esb_messages_dead_lettered_total", **labels, reason="exhausted") == 1
    assert result.total("esb_dead_letters_parked_total", route=route, reason="rejected") == 1
    assert result.total("esb_dead_letters_parked_total", route=route, reason="exhausted") == 1


async def test_duplicates_filtered_invalid_and_refused_calls(bus, routes_dir, target, sqlite_url, amqp_url):
    route = unique("m-skip")
    write_route(routes_dir, route, target.url, filter='payload.order_number != "999"')
    labels = {"route": route, "adapter": "rest"}
    key = str(uuid.uuid4())
    async with bus(sqlite_url) as runtime:
        before = await scrape(runtime.http_port)
        for _ in range(2):
            assert await post(runtime, "production.order.released", production_order(), {"Idempotency-Key": key}) == 202
        assert await post(runtime, "production.order.released", production_order("999")) == 202
        assert await post(runtime, "production.order.released", {"plant": "1000"}) == 422
        assert await post(runtime, "no.such.type", production_order()) == 404
        connection = await aio_pika.connect(amqp_url)
        async with connection:
            channel = await connection.channel()
            garbage = aio_pika.Message(b"{}", message_id=str(uuid.uuid4()), type="no.such.type")
            await channel.default_exchange.publish(garbage, routing_key=f"esb.route.{route}")
        after = await scrape_until(
            runtime.http_port,
            lambda s: (
                s.total("esb_messages_dead_lettered_total", **labels) == 1
                and s.total("esb_messages_duplicates_skipped_total", **labels) == 1
                and s.total("esb_messages_filtered_out_total", **labels) == 1
            ),
        )
    assert after.total("esb_messages_delivered_total", **labels) == 1
    assert after.total("esb_messages_received_total", **labels, type="production.order.released") == 3
    assert after.total("esb_messages_received_total", **labels, type="unknown") == 1
    assert after.total("esb_delivery_failures_total", **labels, error_class="InvalidMessage") == 1
    assert after.total("esb_messages_dead_lettered_total", **labels, reason="invalid") == 1
    refused = after.total("esb_inbound_calls_total", **REST, outcome="rejected")
    assert refused - before.total("esb_inbound_calls_total", **REST, outcome="rejected") == 2
    assert not [s for s in after.samples if "no.such.type" in s[1].values()]  # untrusted types never become labels


# -- inbound adapters -----------------------------------------------------------------------------------------------


async def test_soap_calls_are_counted_by_outcome(bus, routes_dir, target, sqlite_url):
    route = unique("m-soap")
    soap_route(
        routes_dir, route, target.url, "production-confirmation", basic_auth={"username": "mes", "password": "pw"}
    )
    labels = {"route": route, "adapter": "soap"}
    async with bus(sqlite_url) as runtime:
        client = await client_for(runtime, auth=("mes", "pw"))
        await call(client.service.ConfirmOperation, **CONFIRMATION)
        url = f"http://127.0.0.1:{runtime.http_port}{CONFIRM_PATH}"
        async with aiohttp.ClientSession() as session:
            async with session.post(url, data=b"not xml", headers={"Content-Type": "text/xml"}) as response:
                assert response.status == 401
            auth = {"Content-Type": "text/xml", "Authorization": "Basic " + base64.b64encode(b"mes:pw").decode()}
            async with session.post(url, data=b"not xml", headers=auth) as response:
                assert response.status == 500
        result = await scrape(runtime.http_port)
    assert result.total("esb_inbound_calls_total", **labels, outcome="accepted") == 1
    assert result.total("esb_inbound_calls_total", **labels, outcome="rejected") == 1
    assert result.total("esb_inbound_calls_total", **labels, outcome="unauthorized") == 1
    assert result.total("esb_inbound_messages_published_total", **labels) == 1
    assert result.total("esb_inbound_received_bytes_total", **labels) > len(b"not xml")


@pytest.fixture(scope="module")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SshServer]:
    with running_sshd(tmp_path_factory.mktemp("sshd")) as server:
        yield server


def order_lines(*numbers: str) -> bytes:
    return b"".join(
        json.dumps({"type": "production.order.released", "payload": production_order(n)}).encode() + b"\n"
        for n in numbers
    )


async def test_sftp_files_are_counted_by_outcome(bus, routes_dir, target, sqlite_url, sshd):
    route = unique("m-sftp")
    drop = sshd.root / route
    drop.mkdir()
    settings = {"server": sshd.settings(), "directory": str(drop), "glob": "*.jsonl", "poll_interval": "100ms"}
    inbound = [{"adapter": "sftp", "system": "ERP", "settings": {**settings, "decoder": "canonical.jsonl"}}]
    write_route(routes_dir, route, target.url, inbound=inbound)
    good = order_lines("4711", "4712")
    (drop / "good.jsonl").write_bytes(good)
    (drop / "bad.jsonl").write_bytes(b"this is not json\n")
    labels = {"route": route, "adapter": "sftp"}
    async with bus(sqlite_url) as runtime:
        await scrape_until(runtime.http_port, lambda s: s.total("esb_inbound_files_total", **labels) == 2)
        (drop / "again.jsonl").write_bytes(good)  # the same content under another name
        result = await scrape_until(runtime.http_port, lambda s: s.total("esb_inbound_files_total", **labels) == 3)
        await wait_for(lambda: runtime.workers[0].delivered == 2, what="both orders delivered")
    assert result.total("esb_inbound_files_total", **labels, outcome="ingested") == 1
    assert result.total("esb_inbound_files_total", **labels, outcome="rejected") == 1
    assert result.total("esb_inbound_files_total", **labels, outcome="duplicate") == 1
    assert result.total("esb_inbound_messages_published_total", **labels) == 2
    assert result.total("esb_inbound_received_bytes_total", **labels) == 2 * len(good) + len(b"this is not json\n")
