"""IDoc <-> canonical message: pick the map for the IDoc type or message type, and fill the control record."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from bus.canonical import CanonicalMessage
from bus.errors import TransformFailed
from transformers.decoding import Decoded
from transformers.idoc.errors import decode_failed
from transformers.idoc.maps import Context, map_for_idoc, map_for_message, mapped_types
from transformers.idoc.model import ControlRecord, Idoc
from transformers.idoc.values import format_datetime

INBOUND = "2"
"""DIRECT of an IDoc sent to SAP."""


@dataclass(frozen=True)
class Partners:
    """Sender and receiver written in the control record of the IDocs the bus sends.

    The defaults name the bus as logical system ``ESB`` on port ``ESB`` and the receiver as logical system
    ``SAP`` on port ``SAP``: set them to the partner profile the receiving SAP system has for the bus
    (transaction WE20) and the receiver's own port and logical system.
    """

    sender_port: str = "ESB"
    sender_partner_type: str = "LS"
    sender_partner: str = "ESB"
    receiver_port: str = "SAP"
    receiver_partner_type: str = "LS"
    receiver_partner: str = "SAP"


DEFAULT_PARTNERS = Partners()


def docnum_for(message_id: uuid.UUID) -> str:
    """A 16-digit IDoc number fixed by the message id, so a redelivered message is written as the same IDoc."""
    return f"{message_id.int % 10**16:016d}"


def to_canonical(idoc: Idoc, *, timezone: tzinfo = UTC) -> list[Decoded]:
    """The canonical messages an IDoc maps to (one, or one per time ticket).

    Raises ``DecodeFailed`` for an IDoc type without a map and for IDocs whose content does not make a valid
    canonical message.
    """
    idoc_map = map_for_idoc(idoc.control)
    if idoc_map is None:
        raise decode_failed(
            f"IDoc type {idoc.control.IDOCTYP} (message type {idoc.control.MESTYP or 'blank'}) is not mapped to "
            "a canonical message",
            line=idoc.line,
            docnum=idoc.docnum,
        )
    return idoc_map.decode(idoc, Context(timezone))


def from_canonical(
    message: CanonicalMessage,
    *,
    docnum: str,
    partners: Partners = DEFAULT_PARTNERS,
    created_at: datetime | None = None,
    timezone: tzinfo = UTC,
    idoc_type: str | None = None,
    archive_key: str = "",
) -> Idoc:
    """One IDoc for ``message``, to be sent to SAP.

    ``idoc_type`` picks among the IDoc types a canonical type maps to (goods movements: ``WMMBID02`` by
    default, or ``MBGMCR03``). ``created_at`` fills CREDAT/CRETIM (seen in ``timezone``); ``archive_key``
    goes to ARCKEY, the key linking the IDoc to the sender's own records.
    """
    idoc_map = map_for_message(message, idoc_type)
    if idoc_map is None:
        wanted = f" as {idoc_type}" if idoc_type else ""
        raise TransformFailed(
            f"{message.message_type} cannot be written as an IDoc{wanted}; IDoc maps exist for "
            f"{', '.join(mapped_types())}"
        )
    credat, cretim = format_datetime(created_at, timezone) if created_at else ("", "")
    control = ControlRecord(
        DOCNUM=docnum,
        DIRECT=INBOUND,
        IDOCTYP=idoc_map.idoc_type,
        MESTYP=idoc_map.message_type,
        SNDPOR=partners.sender_port,
        SNDPRT=partners.sender_partner_type,
        SNDPRN=partners.sender_partner,
        RCVPOR=partners.receiver_port,
        RCVPRT=partners.receiver_partner_type,
        RCVPRN=partners.receiver_partner,
        CREDAT=credat,
        CRETIM=cretim,
        ARCKEY=archive_key,
    )
    return Idoc(control, idoc_map.encode(message, Context(timezone)))
