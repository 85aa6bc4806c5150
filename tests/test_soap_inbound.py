"""SOAP inbound: a real zeep client, loading the WSDL from ``?wsdl``, calls the bus running on the real RabbitMQ."""

from __future__ import annotations

import asyncio
import functools
import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from importlib.resources import files
from pathlib import Path
from typing import Any

import aio_pika
import aiohttp
import pytest
import requests
from lxml import etree
from zeep import Client
from zeep.exceptions import Fault
from zeep.transports import Transport

from bus.canonical import OperationConfirmed
from bus.catalogue import CatalogueInvalid, load_catalogue
from bus.topology import EVENTS_EXCHANGE, UNROUTED_QUEUE
from bus.wire import H_SOURCE_INTERFACE, H_SOURCE_SYSTEM
from legacy_adapters.soap.client import zeep_settings
from legacy_adapters.soap.envelope import FAULT_NS, SOAP_ENV
from legacy_adapters.soap.services.production_confirmation import element_name
from tests.support.broker import queue_depth, take_messages
from tests.support.routes import write_route
from tests.support.target import wait_for

CONFIRM_PATH = "/soap/production-confirmation"
CONFIRM_ACTION = "urn:esb-bus:production-confirmation:v1:ConfirmOperation"
CET = timezone(timedelta(hours=1))
CONFIRMATION: dict[str, Any] = {
    "ConfirmationId": "MES-CONF-000001",
    "CorrelationId": "100012345",
    "Plant": "1000",
    "OrderNumber": "100012345",
    "Operation": "0010",
    "WorkCenter": "LATHE-01",
    "ConfirmationNumber": "4711",
    "YieldQuantity": Decimal("240"),
    "ScrapQuantity": Decimal("10"),
    "Unit": "EA",
    "ScrapReason": "Chatter marks",
    "SetupTime": Decimal("30"),
    "MachineTime": Decimal("480.5"),
    "TimeUnit": "MIN",
    "PersonnelNumber": "00004711",
    "FinalConfirmation": True,
    "ConfirmedAt": datetime(2026, 12, 1, 14, 5, tzinfo=CET),
}


def soap_route(routes_dir: Path, name: str, target_url: str, service: str, **settings: Any) -> None:
    """A route fed by a SOAP endpoint; ``state``/``types`` are route fields, the rest adapter settings."""
    state = settings.pop("state", "active")
    types = settings.pop("types", ["production.operation.confirmed"])
    write_route(
        routes_dir,
        name,
        target_url,
        state=state,
        source={"types": types},
        inbound=[{"adapter": "soap", "system": "MES-LINE-3", "settings": {"service": service, **settings}}],
    )


def legacy_client(port: int, path: str, auth: tuple[str, str] | None = None) -> Client:
    """What a legacy client does (blocking): fetch the WSDL from ``?wsdl`` and bind its service."""
    session = requests.Session()
    session.auth = auth
    transport = Transport(session=session, timeout=10, operation_timeout=10)
    return Client(f"http://127.0.0.1:{port}{path}?wsdl", transport=transport, settings=zeep_settings())


async def client_for(runtime, path: str = CONFIRM_PATH, auth: tuple[str, str] | None = None) -> Client:  # type: ignore[no-untyped-def]
    return await asyncio.to_thread(legacy_client, runtime.http_port, path, auth)


async def call(operation, *args: Any, **kwargs: Any) -> Any:  # type: ignore[no-untyped-def]
    return await asyncio.to_thread(functools.partial(operation, *args, **kwargs))


async def post(runtime, body: bytes, headers: dict[str, str], path: str = CONFIRM_PATH) -> tuple[int, str, bytes]:  # type: ignore[no-untyped-def]
    async with aiohttp.ClientSession() as session:
        async with session.post(f"http://127.0.0.1:{runtime.http_port}{path}", data=body, headers=headers) as response:
            return response.status, response.headers.get("Content-Type", ""), await response.read()


def read_fault(body: bytes) -> tuple[str, str, list[str]]:
    """faultcode, faultstring and the fields of the detail's problems of a Fault answer."""
    fault = etree.fromstring(body).find(f"{{{SOAP_ENV}}}Body/{{{SOAP_ENV}}}Fault")
    assert fault is not None, body
    fields = [
        field.text
        for field in fault.iterfind(f"detail/{{{FAULT_NS}}}FaultDetail/{{{FAULT_NS}}}Problem/{{{FAULT_NS}}}Field")
    ]
    return fault.findtext("faultcode"), fault.findtext("faultstring"), fields


def confirmation_request(client: Client, **overrides: Any) -> bytes:
    envelope = client.create_message(client.service, "ConfirmOperation", **{**CONFIRMATION, **overrides})
    return etree.tostring(envelope, encoding="utf-8")


async def nothing_published(amqp_url: str, route: str, target) -> None:  # type: ignore[no-untyped-def]
    assert await queue_depth(amqp_url, f"esb.route.{route}") == 0
    assert await queue_depth(amqp_url, UNROUTED_QUEUE) == 0
    assert target.received == []


# -- production confirmation --------------------------------------------------------------------------------------


async def test_confirmation_reaches_the_target_once_however_often_it_is_sent(bus, routes_dir, target, sqlite_url):
    soap_route(routes_dir, "mes-confirmations", target.url, "production-confirmation")
    async with bus(sqlite_url) as runtime:
        client = await client_for(runtime)
        first = await call(client.service.ConfirmOperation, **CONFIRMATION)
        await wait_for(lambda: first.MessageId in target.applied, what="delivery of the confirmation")
        repeated = await call(client.service.ConfirmOperation, **CONFIRMATION)
        other = await call(client.service.ConfirmOperation, **{**CONFIRMATION, "ConfirmationId": "MES-CONF-000002"})
        await wait_for(lambda: other.MessageId in target.applied, what="the second confirmation")
    assert first.Status == repeated.Status == "accepted"
    assert repeated.MessageId == first.MessageId != other.MessageId
    assert target.attempts()[first.MessageId] == 1
    delivered = target.applied[first.MessageId]
    assert delivered.headers["X-Correlation-ID"] == first.CorrelationId == "100012345"
    payload = delivered.json()
    assert payload["order_number"] == "100012345"
    assert payload["operation"] == "0010"
    assert payload["work_center"] == "LATHE-01"
    assert Decimal(payload["yield_quantity"]) == Decimal("240")
    assert Decimal(payload["scrap_quantity"]) == Decimal("10")
    assert Decimal(payload["machine_time"]) == Decimal("480.5")
    assert payload["final_confirmation"] is True
    assert payload["personnel_number"] == "00004711"
    assert datetime.fromisoformat(payload["confirmed_at"]) == CONFIRMATION["ConfirmedAt"]


async def test_invalid_confirmation_gets_a_client_fault_naming_each_element(
    bus, routes_dir, target, sqlite_url, amqp_url
):
    soap_route(routes_dir, "mes-strict", target.url, "production-confirmation")
    async with bus(sqlite_url) as runtime:
        client = await client_for(runtime)
        bad = {**CONFIRMATION, "YieldQuantity": Decimal("-5"), "Plant": "10.00", "Unit": " "}
        with pytest.raises(Fault) as raised:
            await call(client.service.ConfirmOperation, **bad)
    fault = raised.value
    assert fault.code == "soap:Client"
    assert "YieldQuantity" in fault.message and "Plant" in fault.message and "Unit" in fault.message
    problems = fault.detail.findall(f"{{{FAULT_NS}}}FaultDetail/{{{FAULT_NS}}}Problem/{{{FAULT_NS}}}Field")
    assert sorted(problem.text for problem in problems) == ["Plant", "Unit", "YieldQuantity"]
    await nothing_published(amqp_url, "mes-strict", target)


async def test_answer_comes_after_the_broker_confirmed(bus, routes_dir, target, sqlite_url, amqp_url):
    """The route is disabled (its queue buffers): the message is on the queue when the answer arrives."""
    soap_route(routes_dir, "mes-buffered", target.url, "production-confirmation", state="disabled")
    async with bus(sqlite_url) as runtime:
        client = await client_for(runtime)
        answer = await call(client.service.ConfirmOperation, **CONFIRMATION)
        depth = await queue_depth(amqp_url, "esb.route.mes-buffered")
        [message] = await take_messages(amqp_url, "esb.route.mes-buffered", 1)
    assert depth == 1
    assert message.message_id == answer.MessageId
    assert message.type == "production.operation.confirmed"
    assert message.routing_key == "production.operation.confirmed.1000"
    assert message.headers[H_SOURCE_SYSTEM] == "MES-LINE-3"
    assert message.headers[H_SOURCE_INTERFACE] == "TEST-MES-BUFFERED"
    assert json.loads(message.body)["order_number"] == "100012345"


async def test_broker_not_confirming_gets_a_server_fault(bus, routes_dir, target, sqlite_url, amqp_url):
    soap_route(routes_dir, "mes-no-broker", target.url, "production-confirmation")
    async with bus(sqlite_url, publish_timeout=1.0) as runtime:
        client = await client_for(runtime)
        connection = await aio_pika.connect(amqp_url)
        channel = await connection.channel()
        await channel.exchange_delete(EVENTS_EXCHANGE)  # every publish is now refused by the broker
        await connection.close()
        status, content_type, body = await post(
            runtime, confirmation_request(client), {"Content-Type": "text/xml; charset=utf-8"}
        )
    code, reason, _ = read_fault(body)
    assert status == 500
    assert content_type == "text/xml; charset=utf-8"
    assert code == "soap:Server"
    assert "send the call again" in reason
    assert target.received == []


# -- refused calls ------------------------------------------------------------------------------------------------

_XXE = b'<?xml version="1.0"?>\n<!DOCTYPE e [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
_LAUGHS_ENTITIES = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
_LAUGHS = f'<?xml version="1.0"?>\n<!DOCTYPE lolz [{"".join(_LAUGHS_ENTITIES)}]>\n'.encode()


def _with_prolog(prolog: bytes, entity: str):  # type: ignore[no-untyped-def]
    return lambda request: prolog + request.replace(b">LATHE-01<", f">&{entity};<".encode())


def _soap12(request: bytes) -> bytes:
    return request.replace(SOAP_ENV.encode(), b"http://www.w3.org/2003/05/soap-envelope")


def _must_understand(request: bytes) -> bytes:
    header = b'<soap-env:Header><t:Trace xmlns:t="urn:trace" soap-env:mustUnderstand="1">x</t:Trace></soap-env:Header>'
    return request.replace(b"<soap-env:Body>", header + b"<soap-env:Body>")


@pytest.mark.parametrize(
    ("tamper", "headers", "code", "reason"),
    [
        (lambda request: b"ORDER 100012345 CONFIRMED", {}, "soap:Client", "not XML"),
        (_with_prolog(_XXE, "xxe"), {}, "soap:Client", "document type declaration is refused"),
        (_with_prolog(_LAUGHS, "lol9"), {}, "soap:Client", "document type declaration is refused"),
        (
            lambda request: request.replace(b"ConfirmOperation", b"CancelOperation"),
            {},
            "soap:Client",
            "is not an operation of the production-confirmation service",
        ),
        (lambda request: request, {"SOAPAction": '"urn:other:Action"'}, "soap:Client", "does not match"),
        (lambda request: request, {"Content-Type": "application/json"}, "soap:Client", "is not SOAP 1.1"),
        (_soap12, {}, "soap:VersionMismatch", "SOAP 1.1 endpoint"),
        (_must_understand, {}, "soap:MustUnderstand", "{urn:trace}Trace"),
        (
            lambda request: request.replace(b"Chatter marks", b"x" * 5000),
            {},
            "soap:Client",
            "larger than the limit of 4096 bytes",
        ),
    ],
    ids=["not-xml", "xxe", "billion-laughs", "wrong-operation", "wrong-action", "content-type", "soap12",
         "must-understand", "too-large"],
)  # fmt: skip
async def test_bad_call_gets_a_fault_and_publishes_nothing(
    bus, routes_dir, target, sqlite_url, amqp_url, tamper, headers, code, reason
):
    soap_route(routes_dir, "mes-guarded", target.url, "production-confirmation", max_request_bytes=4096)
    async with bus(sqlite_url) as runtime:
        client = await client_for(runtime)
        body = tamper(confirmation_request(client))
        sent = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{CONFIRM_ACTION}"', **headers}
        status, content_type, answer = await post(runtime, body, sent)
        await asyncio.sleep(0.2)  # anything published would reach the queue or the target by now
        await nothing_published(amqp_url, "mes-guarded", target)
    fault_code, fault_string, _ = read_fault(answer)
    assert (status, content_type) == (500, "text/xml; charset=utf-8")
    assert fault_code == code
    assert reason in fault_string


# -- WSDL and authentication --------------------------------------------------------------------------------------


async def test_wsdl_names_the_address_it_was_fetched_from(bus, routes_dir, target, sqlite_url):
    soap_route(routes_dir, "mes-wsdl", target.url, "production-confirmation", path="/legacy/mes/confirm")
    async with bus(sqlite_url) as runtime:
        base = f"http://127.0.0.1:{runtime.http_port}/legacy/mes/confirm"
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{base}?wsdl") as response:
                direct = (response.status, response.headers["Content-Type"], await response.read())
            async with session.get(f"{base}?WSDL", headers={"Host": "esb.plant.example:8443"}) as response:
                proxied = await response.read()
        client = await client_for(runtime, "/legacy/mes/confirm")
        answer = await call(client.service.ConfirmOperation, **CONFIRMATION)
    location = "{http://schemas.xmlsoap.org/wsdl/soap/}address"
    assert direct[:2] == (200, "text/xml; charset=utf-8")
    assert etree.fromstring(direct[2]).find(f".//{location}").get("location") == base
    assert etree.fromstring(proxied).find(f".//{location}").get("location") == (
        "http://esb.plant.example:8443/legacy/mes/confirm"
    )
    assert answer.Status == "accepted"


async def test_basic_auth_is_required_instead_of_the_bearer_token(bus, routes_dir, target, sqlite_url, amqp_url):
    credentials = ("mes-line-3", "c0nfirm!")
    soap_route(
        routes_dir,
        "mes-guarded-auth",
        target.url,
        "production-confirmation",
        state="disabled",
        basic_auth={"username": credentials[0], "password": credentials[1]},
    )
    async with bus(sqlite_url, api_token="bearer-for-modern-apps") as runtime:
        with pytest.raises(requests.HTTPError, match="401"):
            await client_for(runtime)  # no credentials: not even the WSDL
        client = await client_for(runtime, auth=credentials)
        request = confirmation_request(client)
        refused = [
            await post(runtime, request, {"Content-Type": "text/xml"}),
            await post(
                runtime, request, {"Content-Type": "text/xml", "Authorization": "Bearer bearer-for-modern-apps"}
            ),
            await post(
                runtime, request, {"Content-Type": "text/xml", "Authorization": "Basic bWVzLWxpbmUtMzp3cm9uZw=="}
            ),
        ]
        assert await queue_depth(amqp_url, "esb.route.mes-guarded-auth") == 0
        answer = await call(client.service.ConfirmOperation, **CONFIRMATION)
        assert await queue_depth(amqp_url, "esb.route.mes-guarded-auth") == 1
    assert [status for status, _, _ in refused] == [401, 401, 401]
    assert answer.Status == "accepted"


def test_wsdl_declares_every_canonical_field_of_a_confirmation():
    """The hand-written WSDL and the canonical model must not drift apart."""
    wsdl = etree.fromstring((files("legacy_adapters.soap") / "wsdl" / "production-confirmation.wsdl").read_bytes())
    xsd = "{http://www.w3.org/2001/XMLSchema}"
    request = wsdl.find(f".//{xsd}element[@name='ConfirmOperation']")
    declared = [element.get("name") for element in request.iter(f"{xsd}element")][1:]
    expected = {element_name(field) for field in OperationConfirmed.model_fields}
    assert set(declared) == expected | {"ConfirmationId", "CorrelationId"}


def test_route_with_an_unknown_service_is_refused(routes_dir):
    soap_route(routes_dir, "mes-typo", "http://unused.invalid", "production-confirmations")
    with pytest.raises(CatalogueInvalid) as raised:
        load_catalogue(routes_dir)
    [problem] = raised.value.problems
    assert "inbound.0.settings.service" in problem.message
    assert "unknown SOAP service 'production-confirmations'" in problem.message
