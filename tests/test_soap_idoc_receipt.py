"""IDoc receipt over SOAP: SAP sends LOIPRO01 IDoc-XML, the bus publishes production orders before answering."""

from __future__ import annotations

import asyncio
import functools
import json
from decimal import Decimal
from pathlib import Path

import aiohttp
import pytest
import requests
from lxml import etree
from zeep import Client
from zeep.exceptions import Fault
from zeep.transports import Transport

from bus.topology import UNROUTED_QUEUE
from bus.wire import H_SOURCE_SYSTEM
from legacy_adapters.soap.client import zeep_settings
from tests.support.broker import queue_depth, take_messages
from tests.support.routes import write_route
from transformers.safexml import parse_xml

PACKET = Path(__file__).parent / "data" / "soap" / "loipro01.xml"
PATH = "/sap/idoc"
RESPONSE_NS = "urn:esb-bus:idoc-receipt:v1"


def idoc_route(routes_dir: Path, name: str) -> None:
    """A disabled route: its queue buffers what the endpoint publishes, for the test to inspect."""
    write_route(
        routes_dir,
        name,
        "http://unused.invalid",
        state="disabled",
        source={"types": ["production.order.released"]},
        inbound=[{"adapter": "soap", "system": "SAP-PRD", "settings": {"service": "idoc-receipt", "path": PATH}}],
    )


def sap_client(port: int) -> Client:
    transport = Transport(session=requests.Session(), timeout=10, operation_timeout=10)
    return Client(f"http://127.0.0.1:{port}{PATH}?wsdl", transport=transport, settings=zeep_settings())


async def send_idoc(client: Client, document: etree._Element):  # type: ignore[no-untyped-def]
    return await asyncio.to_thread(functools.partial(client.service.IdocInbound, document))


def packet() -> etree._Element:
    return parse_xml(PACKET.read_bytes())


def sent_the_sap_way(document: bytes) -> bytes:
    """The same IDoc as SAP's IDoc-over-SOAP sends it: the document itself in the Body, other prefixes."""
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/" xmlns:sap="urn:sap-com:document:sap">'
        b"<S:Header/><S:Body>" + document + b"</S:Body></S:Envelope>"
    )


async def test_idoc_packet_is_published_before_the_answer(bus, routes_dir, sqlite_url, amqp_url):
    idoc_route(routes_dir, "sap-orders")
    async with bus(sqlite_url) as runtime:
        client = await asyncio.to_thread(sap_client, runtime.http_port)
        answer = await send_idoc(client, packet())
        depth = await queue_depth(amqp_url, "esb.route.sap-orders")
        document = etree.tostring(packet())
        url = f"http://127.0.0.1:{runtime.http_port}{PATH}"
        async with aiohttp.ClientSession() as session:
            headers = {"Content-Type": "text/xml", "SOAPAction": '"http://sap.com/xi/WebService/soap1.1"'}
            async with session.post(url, data=sent_the_sap_way(document), headers=headers) as response:
                resent = (response.status, await response.read())
        messages = await take_messages(amqp_url, "esb.route.sap-orders", 4)
    assert depth == 2  # both messages were on the queue when the answer came
    assert answer.IdocNumber == ["0000000000471101", "0000000000471102"]
    assert [message.Reference for message in answer.Message] == ["IDoc 0000000000471101", "IDoc 0000000000471102"]
    assert {message.Status for message in answer.Message} == {"accepted"}
    ids = [message.MessageId for message in answer.Message]
    assert resent[0] == 200
    resent_ids = etree.fromstring(resent[1]).xpath("//r:MessageId/text()", namespaces={"r": RESPONSE_NS})
    assert resent_ids == ids  # the same IDocs, however sent, are the same messages
    assert sorted(message.message_id for message in messages) == sorted(ids * 2)
    orders = {message.message_id: (message, json.loads(message.body)) for message in messages}
    first, first_order = orders[ids[0]]
    assert first.type == "production.order.released"
    assert first.routing_key == "production.order.released.1000"
    assert first.correlation_id == "100012345"
    assert first.headers[H_SOURCE_SYSTEM] == "SAP-PRD"
    assert first_order["order_number"] == "100012345"
    assert first_order["material"] == "FG-4711"
    assert Decimal(first_order["quantity"]) == 250
    assert [op["work_center"] for op in first_order["operations"]] == ["LATHE-01", "MILL-02"]
    assert first_order["components"][0]["material"] == "RM-CAST-88"
    second, second_order = orders[ids[1]]
    assert second.routing_key == "production.order.released.2000"
    assert second_order["order_number"] == "100012346"


def _without_control_record(document: etree._Element) -> etree._Element:
    control = document.find("IDOC/EDI_DC40")
    control.getparent().remove(control)
    return document


def _second_idoc_with_a_bad_quantity(document: etree._Element) -> etree._Element:
    document.findall("IDOC/E1AFKOL/GAMNG")[1].text = "forty"
    return document


def _no_idoc(document: etree._Element) -> etree._Element:
    return etree.Element("ORDERS05")


@pytest.mark.parametrize(
    ("spoil", "reason"),
    [
        (_without_control_record, "EDI_DC40"),
        (_second_idoc_with_a_bad_quantity, "IDoc 0000000000471102"),
        (_no_idoc, "no IDOC element"),
    ],
    ids=["no-control-record", "bad-second-idoc", "no-idoc"],
)
async def test_undecodable_idoc_gets_a_client_fault_and_nothing_is_published(
    bus, routes_dir, sqlite_url, amqp_url, spoil, reason
):
    idoc_route(routes_dir, "sap-orders-strict")
    async with bus(sqlite_url) as runtime:
        client = await asyncio.to_thread(sap_client, runtime.http_port)
        with pytest.raises(Fault) as raised:
            await send_idoc(client, spoil(packet()))
        assert await queue_depth(amqp_url, "esb.route.sap-orders-strict") == 0
        assert await queue_depth(amqp_url, UNROUTED_QUEUE) == 0
    assert raised.value.code == "soap:Client"
    assert raised.value.message.startswith("the IDoc-XML document cannot be taken")
    assert reason in raised.value.message
