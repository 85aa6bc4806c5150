"""IDoc receipt: ``IdocInbound`` carries one IDoc-XML document (e.g. ``LOIPRO01``), decoded by ``idoc.xml``.

SAP's own IDoc-over-SOAP puts the IDoc-XML document itself in the SOAP Body (``<soap:Body><LOIPRO01>``, with
a SOAPAction of its own); such a call is taken too, and answered like ``IdocInbound``.

The document is taken in its canonical form (exclusive XML C14N), so its SHA-256 and with it every message id
(``message_id_for(digest, reference)``) depend only on the IDoc, not on how the SOAP envelope around it was
written: the same IDoc sent again is recognised and delivered once. The whole document is decoded before
anything is published; one IDoc that cannot be read refuses the call.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence

from lxml import etree
from lxml.builder import ElementMaker

from bus.envelope import Envelope, Source
from bus.errors import PermanentError
from bus.publisher import PublishOutcome
from legacy_adapters.soap.envelope import client_fault
from legacy_adapters.soap.services.base import Accepted, SoapService, outcome_status
from transformers.decoding import Decoded, DecodeFailed, get_decoder, message_id_for

NS = "urn:esb-bus:idoc-receipt:v1"
DECODER = "idoc.xml"

_E = ElementMaker(namespace=NS, nsmap={"tns": NS})


def _document(request: etree._Element) -> etree._Element:
    documents = [child for child in request if isinstance(child.tag, str)]
    if len(documents) != 1:
        raise client_fault(
            f"IdocInbound must hold exactly one IDoc-XML document (e.g. <LOIPRO01>); it holds {len(documents)} elements"
        )
    return documents[0]


def _decode(data: bytes) -> list[Decoded]:
    try:
        decoded = list(get_decoder(DECODER)(io.BytesIO(data)))
    except DecodeFailed as exc:
        raise client_fault(f"the IDoc-XML document cannot be taken: {exc}", location=exc.location) from None
    except PermanentError as exc:
        raise client_fault(f"the IDoc-XML document cannot be taken: {exc}") from None
    if not decoded:
        raise client_fault("the IDoc-XML document holds no IDoc")
    return decoded


def idoc_numbers(document: etree._Element) -> list[str]:
    """The numbers (``EDI_DC40/DOCNUM``) of the IDocs in a document, as SAP knows them."""
    path = "descendant-or-self::*[local-name()='IDOC']/*[local-name()='EDI_DC40']/*[local-name()='DOCNUM']/text()"
    return [str(number).strip() for number in document.xpath(path)]


def receive_idoc(request: etree._Element, source: Source) -> Accepted:
    """``IdocInbound``: the IDoc-XML document is the request's one element."""
    return receive_document(_document(request), source)


def receive_document(document: etree._Element, source: Source) -> Accepted:
    """An IDoc-XML document: decoded whole, one envelope per message, the answer lists IDocs and messages."""
    data = etree.tostring(document, method="c14n", exclusive=True, with_tail=False)
    digest = hashlib.sha256(data).hexdigest()
    decoded = _decode(data)
    envelopes = [
        Envelope.wrap(
            item.payload,
            source,
            message_id=message_id_for(digest, item.reference),
            correlation_id=item.correlation_id,
            occurred_at=item.occurred_at,
        )
        for item in decoded
    ]
    numbers = idoc_numbers(document)

    def answer(outcomes: Sequence[PublishOutcome]) -> etree._Element:
        response = _E.IdocInboundResponse(*(_E.IdocNumber(number) for number in numbers))
        for item, envelope, outcome in zip(decoded, envelopes, outcomes, strict=True):
            response.append(
                _E.Message(
                    _E.Reference(item.reference),
                    _E.MessageId(str(envelope.message_id)),
                    _E.MessageType(envelope.type),
                    _E.Status(outcome_status(outcome)),
                )
            )
        return response

    return Accepted(envelopes, answer)


IDOC_RECEIPT = SoapService(
    name="idoc-receipt",
    wsdl_file="idoc-receipt.wsdl",
    handlers={"IdocInbound": receive_idoc},
    other_body=receive_document,
    decoders=(DECODER,),
)
