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

from array import array
from bisect import bisect_left
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
    seen = _References()
    for idoc in idocs:
        for decoded in to_canonical(idoc, timezone=timezone):
            if not seen.add(decoded.reference):
                raise decode_failed(
                    "the document holds this IDoc number twice: each IDoc in a file needs its own DOCNUM",
                    line=idoc.line,
                    docnum=idoc.docnum,
                )
            yield decoded


class _References:
    """The message references decoded so far from one document, kept in little memory.

    SAP numbers IDocs upwards, so the references ``IDoc <16-digit DOCNUM>`` of a file mostly come in increasing
    order: those are kept as 8-byte numbers in a sorted array, and memory grows by 8 bytes an IDoc rather than
    by a string and a set entry. Other references (out of order, other forms) go to a set.
    """

    __slots__ = ("_ascending", "_others")

    def __init__(self) -> None:
        self._ascending = array("Q")
        self._others: set[int | str] = set()

    def add(self, reference: str) -> bool:
        """Record ``reference``; False when it was recorded before."""
        number = _idoc_number(reference)
        ascending = self._ascending
        if number is not None and (not ascending or number > ascending[-1]):
            ascending.append(number)
            return True
        key: int | str = reference if number is None else number
        if key in self._others or (number is not None and _holds(ascending, number)):
            return False
        self._others.add(key)
        return True


def _idoc_number(reference: str) -> int | None:
    """The DOCNUM of a reference ``IDoc <16 digits>``, None for a reference of another form."""
    digits = reference[5:]
    if len(digits) == 16 and reference.startswith("IDoc ") and digits.isdigit() and digits.isascii():
        return int(digits)
    return None


def _holds(ascending: array[int], number: int) -> bool:
    at = bisect_left(ascending, number)
    return at < len(ascending) and ascending[at] == number


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
