"""The IDoc decoders (``idoc.flat``, ``idoc.xml``) and outbound transformers (``idoc.flat``, ``idoc.xml``).

Decoders read a flat file or an IDoc-XML document one IDoc at a time and yield one canonical message per
IDoc (per time ticket for confirmations), referenced ``IDoc <DOCNUM>`` and correlated by the order number
(goods movements: the order all items belong to, else the document number).

Transformers write one envelope's payload as one IDoc: production orders as LOIPRO01, goods movements as
WMMBXY (WMMBID02), operation confirmations as PP-PDC time tickets (PPCC2PRETTICKET01). The IDoc number is
derived from the message id, so a redelivered message produces the same IDoc; CREDAT/CRETIM are the
message's ``occurred_at`` in UTC; ARCKEY holds the message id. Sender and receiver come from ``Partners``:
``idoc_transformer`` makes transformers with other partners or another time zone, to register under a name
of your own.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, tzinfo
from typing import BinaryIO, Literal

from bus.envelope import Envelope
from transformers.decoding import Decoded, decoder
from transformers.idoc.convert import DEFAULT_PARTNERS, Partners, docnum_for, from_canonical, to_canonical
from transformers.idoc.errors import decode_failed
from transformers.idoc.flat import flat_bytes, read_flat
from transformers.idoc.idocxml import read_xml, xml_bytes
from transformers.idoc.model import Idoc
from transformers.idoc.segments import BUILTIN_SEGMENTS, SegmentCatalog
from transformers.registry import Document, TransformerFn, transformer

Format = Literal["flat", "xml"]
_MEDIA_TYPES = {"flat": ("text/plain", "txt"), "xml": ("application/xml", "xml")}


def decode_idocs(idocs: Iterable[Idoc], *, timezone: tzinfo = UTC) -> Iterator[Decoded]:
    """Canonical messages of a document's IDocs; an IDoc number seen twice in one document fails."""
    seen: set[str] = set()
    for idoc in idocs:
        for decoded in to_canonical(idoc, timezone=timezone):
            if decoded.reference in seen:
                raise decode_failed(
                    "the document holds this IDoc number twice: each IDoc in a file needs its own DOCNUM",
                    line=idoc.line,
                    docnum=idoc.docnum,
                )
            seen.add(decoded.reference)
            yield decoded


@decoder("idoc.flat")
def decode_flat(stream: BinaryIO) -> Iterator[Decoded]:
    """IDoc flat file (UTF-8) -> canonical messages."""
    return decode_idocs(read_flat(stream))


@decoder("idoc.xml")
def decode_xml(stream: BinaryIO) -> Iterator[Decoded]:
    """IDoc-XML document -> canonical messages."""
    return decode_idocs(read_xml(stream))


def envelope_idoc(
    envelope: Envelope, *, partners: Partners = DEFAULT_PARTNERS, timezone: tzinfo = UTC, idoc_type: str | None = None
) -> Idoc:
    """The IDoc an envelope's payload is sent to SAP as."""
    return from_canonical(
        envelope.payload,
        docnum=docnum_for(envelope.message_id),
        partners=partners,
        created_at=envelope.occurred_at,
        timezone=timezone,
        idoc_type=idoc_type,
        archive_key=str(envelope.message_id),
    )


def idoc_transformer(
    fmt: Format,
    *,
    partners: Partners = DEFAULT_PARTNERS,
    timezone: tzinfo = UTC,
    idoc_type: str | None = None,
    segments: SegmentCatalog = BUILTIN_SEGMENTS,
) -> TransformerFn:
    """A transformer writing envelopes as one IDoc each, flat (``text/plain``) or IDoc-XML (``application/xml``).

    ``segments`` gives the segment layouts to write with (e.g. the receiver's own, see ``parser_layouts``).

    ``Document.name`` is ``<MESTYP>_<DOCNUM>.txt`` (or ``.xml``); ``Document.fields`` carries the DOCNUM, the
    IDoc type and the message type for adapters that log or route by them.
    """
    media_type, extension = _MEDIA_TYPES[fmt]

    def transform(envelope: Envelope) -> Document:
        idoc = envelope_idoc(envelope, partners=partners, timezone=timezone, idoc_type=idoc_type)
        body = flat_bytes([idoc], segments=segments) if fmt == "flat" else xml_bytes([idoc], segments=segments)
        control = idoc.control
        return Document(
            body=body,
            media_type=media_type,
            name=f"{control.MESTYP}_{control.DOCNUM}.{extension}",
            fields={"docnum": control.DOCNUM, "idoc_type": control.IDOCTYP, "message_type": control.MESTYP},
        )

    transform.__doc__ = f"Canonical message -> one IDoc ({fmt})."
    return transform


encode_flat = transformer("idoc.flat")(idoc_transformer("flat"))
encode_xml = transformer("idoc.xml")(idoc_transformer("xml"))
