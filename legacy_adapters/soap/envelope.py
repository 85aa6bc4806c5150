"""SOAP 1.1 messages: read a request envelope (through ``transformers.safexml``), write answers and faults.

Every Fault is answered with HTTP 500, as SOAP 1.1 and the WS-I Basic Profile (R1126) require; the faultcode
tells the sender what to do: ``soap:Client`` means the call will fail again unchanged (fix it, do not
retry), ``soap:Server`` means the bus could not take it now (send it again later).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from lxml import etree
from lxml.builder import ElementMaker

from transformers.safexml import UnsafeXml, XmlRejected, XmlTooLarge, parse_xml

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12_ENV = "http://www.w3.org/2003/05/soap-envelope"
FAULT_NS = "urn:esb-bus:soap-fault:v1"
CONTENT_TYPE = "text/xml; charset=utf-8"
FAULT_STATUS = 500

_SOAP = ElementMaker(namespace=SOAP_ENV, nsmap={"soap": SOAP_ENV})
_PLAIN = ElementMaker()
_DETAIL = ElementMaker(namespace=FAULT_NS, nsmap={"esb": FAULT_NS})
_NOT_XML_CHARS = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class FaultCode(StrEnum):
    CLIENT = "Client"
    SERVER = "Server"
    VERSION_MISMATCH = "VersionMismatch"
    MUST_UNDERSTAND = "MustUnderstand"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a request: the element (or ``(request)``) and what is wrong with it."""

    field: str
    message: str


class SoapFault(Exception):
    """A call the bus refuses; ``reason`` becomes the faultstring, the rest the fault's detail."""

    def __init__(
        self,
        code: FaultCode,
        reason: str,
        *,
        location: str | None = None,
        problems: Sequence[Problem] = (),
    ) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason
        self.location = location
        self.problems = tuple(problems)


def client_fault(reason: str, *, location: str | None = None, problems: Sequence[Problem] = ()) -> SoapFault:
    """A fault of the sender's making: the same call will fail again until it is fixed."""
    return SoapFault(FaultCode.CLIENT, reason, location=location, problems=problems)


@dataclass(frozen=True)
class SoapRequest:
    operation: etree._Element
    """The single element of ``soap:Body``: the operation's request."""
    header: etree._Element | None


def _elements(parent: etree._Element) -> list[etree._Element]:
    return [child for child in parent if isinstance(child.tag, str)]


def _check_headers(header: etree._Element | None) -> None:
    """Refuse header blocks the sender says must be understood: the services here define none."""
    if header is None:
        return
    for block in _elements(header):
        if block.get(f"{{{SOAP_ENV}}}mustUnderstand") in ("1", "true"):
            raise SoapFault(
                FaultCode.MUST_UNDERSTAND,
                f"header {block.tag} is marked mustUnderstand but this service does not process it; "
                "send the call without it",
            )


def read_request(data: bytes, *, max_bytes: int) -> SoapRequest:
    """Parse a SOAP 1.1 request safely; raise ``SoapFault`` saying what is wrong with it."""
    try:
        root = parse_xml(data, max_bytes=max_bytes)
    except (XmlTooLarge, UnsafeXml) as exc:
        raise client_fault(f"request refused: {exc}") from None
    except XmlRejected as exc:
        raise client_fault(f"the request is not XML: {exc}") from None
    if root.tag == f"{{{SOAP12_ENV}}}Envelope":
        raise SoapFault(
            FaultCode.VERSION_MISMATCH,
            f"this is a SOAP 1.1 endpoint: send a {SOAP_ENV} Envelope with Content-Type text/xml, not SOAP 1.2",
        )
    if root.tag != f"{{{SOAP_ENV}}}Envelope":
        raise client_fault(f"the request is not a SOAP 1.1 envelope: its root element is {root.tag}")
    parts = {
        etree.QName(child).localname: child for child in _elements(root) if child.tag.startswith(f"{{{SOAP_ENV}}}")
    }
    header, body = parts.get("Header"), parts.get("Body")
    if body is None:
        raise client_fault("the SOAP envelope has no Body")
    _check_headers(header)
    operations = _elements(body)
    if len(operations) != 1:
        raise client_fault(
            f"the SOAP Body must hold exactly one element, the operation's request; it holds {len(operations)}"
        )
    return SoapRequest(operations[0], header)


def xml_text(value: object) -> str:
    """Text safe to put in XML: characters XML cannot carry are dropped."""
    return _NOT_XML_CHARS.sub("", str(value))


def answer(content: etree._Element) -> bytes:
    """A SOAP envelope whose Body holds ``content``."""
    envelope = _SOAP.Envelope(_SOAP.Body(content))
    return etree.tostring(envelope, xml_declaration=True, encoding="utf-8")


def fault_message(fault: SoapFault) -> bytes:
    """A SOAP 1.1 Fault envelope; the detail repeats the reason, the location and each problem."""
    detail = _DETAIL.FaultDetail(_DETAIL.Reason(xml_text(fault.reason)))
    if fault.location:
        detail.append(_DETAIL.Location(xml_text(fault.location)))
    for problem in fault.problems:
        detail.append(
            _DETAIL.Problem(_DETAIL.Field(xml_text(problem.field)), _DETAIL.Message(xml_text(problem.message)))
        )
    body = _SOAP.Fault(
        _PLAIN.faultcode(f"soap:{fault.code}"),
        _PLAIN.faultstring(xml_text(fault.reason)),
        _PLAIN.detail(detail),
    )
    return answer(body)
