"""SOAP outbound through the real RabbitMQ to a real legacy SOAP service called with zeep."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from bus.canonical import OperationConfirmed, QualityHoldPlaced
from bus.envelope import Envelope, Source
from bus.errors import ConfigurationError
from bus.topology import DEAD_QUEUE
from bus.wire import H_ATTEMPT, H_DEAD_REASON, H_ERROR_CLASS, H_ERROR_MESSAGE
from legacy_adapters.soap.client import open_endpoint
from legacy_adapters.soap.outbound import SoapCallSettings
from tests.support.broker import queue_depth, take_messages
from tests.support.payloads import quality_hold
from tests.support.routes import write_route
from tests.support.soap_service import BUSY_FAULT, CLIENT_FAULT, SLOW, WSDL_FILE, LegacySoapService
from tests.support.target import wait_for
from transformers import get_transformer

SOURCE = Source(system="QMS-TEST", interface="TEST-QUALITY")


@pytest.fixture
async def qms():
    service = LegacySoapService()
    await service.start()
    yield service
    await service.stop()


def hold_route(routes_dir: Path, name: str, settings: dict[str, Any], **fields: Any) -> None:
    write_route(
        routes_dir,
        name,
        "http://unused.invalid",
        source={"types": ["quality.hold.placed"]},
        transform="qms.block_lot.v1",
        target={"adapter": "soap", "settings": {"timeout": "5s", **settings}},
        **fields,
    )


async def publish_hold(runtime, **overrides: Any) -> Envelope:  # type: ignore[no-untyped-def]
    envelope = Envelope.wrap(QualityHoldPlaced.model_validate(quality_hold(**overrides)), SOURCE)
    await runtime.publisher.publish_envelope(envelope)
    return envelope


async def test_hold_is_delivered_once_with_a_digest_token(bus, routes_dir, qms, sqlite_url, amqp_url):
    wsse = {"username": "esb-qms", "password": "Tr1cky:pass", "digest": True}
    hold_route(routes_dir, "holds-to-qms", {"wsdl": qms.wsdl_url, "wsse": wsse})
    async with bus(sqlite_url) as runtime:
        envelope = await publish_hold(runtime)
        await wait_for(lambda: len(qms.applied) == 1, what="the BlockLot call")
        await runtime.workers[0].stop()  # nothing further may arrive
    assert len(qms.calls) == 1
    call = qms.calls[0]
    assert call.operation == "BlockLot"
    assert call.arguments == {
        "LotNumber": "B2612-01",
        "MaterialNumber": "FG-4711",
        "PlantCode": "1000",
        "Quantity": "250",
        "UnitOfMeasure": "EA",
        "ReasonCode": "DIM",
        "ReasonText": "Bore diameter out of tolerance",
        "BlockedBy": "QM-INSPECTOR-7",
        "BlockedAt": "2026-12-03T15:10:00+01:00",
        "HoldReference": "QH-0001",
    }
    assert call.key == str(envelope.message_id)
    assert call.headers["X-Correlation-ID"] == envelope.correlation_id
    assert call.headers["X-ESB-Route"] == "holds-to-qms"
    assert call.headers["SOAPAction"].strip('"') == "http://qms.example.com/lotcontrol/2009/BlockLot"
    assert call.headers["Content-Type"].startswith("text/xml")
    assert call.token is not None and call.token.username == "esb-qms"
    assert call.token.password_type == "PasswordDigest"
    assert call.token.password != "Tr1cky:pass"  # never sent in clear
    assert call.token.proves("Tr1cky:pass") and not call.token.proves("wrong")
    assert await queue_depth(amqp_url, "esb.route.holds-to-qms") == 0


async def test_file_wsdl_address_override_basic_auth_and_text_token(bus, routes_dir, qms, sqlite_url):
    qms.basic_auth = ("qms-gateway", "g4teway")
    settings = {
        "wsdl": str(WSDL_FILE),
        "address": qms.url,
        "operation": "BlockLot",
        "basic_auth": {"username": "qms-gateway", "password": "g4teway"},
        "wsse": {"username": "esb-qms", "password": "plain"},
        "timeout": {"connect": "2s", "read": "5s"},
    }
    hold_route(routes_dir, "holds-basic", settings)
    async with bus(sqlite_url) as runtime:
        envelope = await publish_hold(runtime, reason_text="")
        await wait_for(lambda: str(envelope.message_id) in qms.applied, what="the BlockLot call")
    call = qms.applied[str(envelope.message_id)]
    assert "ReasonText" not in call.arguments  # an empty optional value is not sent
    assert call.token is not None and call.token.password_type == "PasswordText" and call.token.proves("plain")
    assert len(qms.calls) == 1


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (CLIENT_FAULT, "answered SOAP Fault soap:Client: Lot B2612-01 does not exist in plant"),
        (404, "answered HTTP 404 Not Found without a SOAP Fault"),
    ],
)
async def test_permanent_failure_is_dead_lettered_with_the_reason(
    bus, routes_dir, qms, sqlite_url, amqp_url, answer, reason
):
    qms.script = [answer]
    hold_route(routes_dir, "holds-refused", {"wsdl": qms.wsdl_url})
    async with bus(sqlite_url) as runtime:
        envelope = await publish_hold(runtime)
        dead = await take_messages(amqp_url, DEAD_QUEUE, 1)
    assert len(qms.calls) == 1  # permanent: never retried
    assert qms.applied == {}
    headers = dead[0].headers
    assert dead[0].message_id == str(envelope.message_id)
    assert headers[H_ERROR_CLASS] == "PermanentError"
    assert headers[H_DEAD_REASON] == "permanent error"
    assert reason in headers[H_ERROR_MESSAGE]
    assert json.loads(dead[0].body)["hold_id"] == "QH-0001"


@pytest.mark.parametrize("answer", [503, 429, BUSY_FAULT, SLOW], ids=["503", "429", "busy-fault", "timeout"])
async def test_transient_failure_is_retried_and_delivered(bus, routes_dir, qms, sqlite_url, amqp_url, answer):
    qms.script = [answer]
    qms.slow_seconds = 1.5
    settings = {"wsdl": qms.wsdl_url, "timeout": {"connect": "1s", "read": "500ms"}}
    hold_route(routes_dir, "holds-retried", settings)
    async with bus(sqlite_url) as runtime:
        envelope = await publish_hold(runtime)
        key = str(envelope.message_id)
        await wait_for(lambda: len(qms.calls) == 2 and key in qms.applied, timeout=20, what="the retried call")
        await asyncio.sleep(0.3)
        await runtime.workers[0].stop()
    assert [call.key for call in qms.calls] == [key, key]  # the retry carries the same identity
    assert len(qms.applied) == 1
    assert await queue_depth(amqp_url, DEAD_QUEUE) == 0
    assert await queue_depth(amqp_url, "esb.route.holds-retried") == 0


async def test_retries_exhausted_park_the_message_with_each_attempt(bus, routes_dir, qms, sqlite_url, amqp_url):
    qms.script = [503, 503]
    hold_route(routes_dir, "holds-down", {"wsdl": qms.wsdl_url}, retry={"attempts": 2, "backoff": ["200ms"]})
    async with bus(sqlite_url) as runtime:
        await publish_hold(runtime)
        dead = await take_messages(amqp_url, DEAD_QUEUE, 1)
    assert dead[0].headers[H_DEAD_REASON] == "retries exhausted"
    assert dead[0].headers[H_ATTEMPT] == 2
    assert "answered HTTP 503" in dead[0].headers[H_ERROR_MESSAGE]
    assert len(qms.calls) == 2


async def test_an_operation_missing_from_the_wsdl_is_a_configuration_error(qms):
    settings = SoapCallSettings(wsdl=qms.wsdl_url, operation="UnblockLot")
    with pytest.raises(ConfigurationError, match="no operation 'UnblockLot'; it has BlockLot"):
        await asyncio.to_thread(open_endpoint, settings)
    settings = SoapCallSettings(wsdl=qms.wsdl_url, service="QualityService")
    with pytest.raises(ConfigurationError, match="no service 'QualityService'; it has LotControlService"):
        await asyncio.to_thread(open_endpoint, settings)


def test_payload_fields_map_gives_the_canonical_fields_as_arguments():
    confirmation = OperationConfirmed(
        plant="1000",
        order_number="4711",
        operation="0010",
        work_center="LATHE-01",
        yield_quantity=Decimal("12.5"),
        unit="EA",
        confirmed_at="2026-12-01T08:00:00+01:00",
    )
    document = get_transformer("soap.payload_fields")(Envelope.wrap(confirmation, SOURCE))
    assert document.fields["order_number"] == "4711"
    assert document.fields["yield_quantity"] == Decimal("12.5")
    assert document.fields["final_confirmation"] is False
    assert "personnel_number" not in document.fields  # None: the optional element is left out
    assert json.loads(document.body)["yield_quantity"] == "12.5"
