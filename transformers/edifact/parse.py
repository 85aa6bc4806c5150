"""Parsers: a complete interchange file in, canonical messages (or CONTRLs) out, all or nothing.

For files that may be partly rejected, and for acknowledgements, use :class:`EdifactReading`.
"""

from __future__ import annotations

import io
from typing import TypeVar

from bus.canonical import CanonicalMessage, PurchaseOrderIssued, ShipmentNoticeReceived
from transformers.edifact.contrl import Contrl
from transformers.edifact.errors import EdifactError
from transformers.edifact.outcome import InterchangeOutcome
from transformers.edifact.reading import EdifactReading

C = TypeVar("C", bound=CanonicalMessage)


def parse_desadv(data: bytes) -> list[ShipmentNoticeReceived]:
    """The shipment notices of every DESADV in ``data``; raises :class:`EdifactError` if anything is rejected."""
    return _payloads(data, ShipmentNoticeReceived)


def parse_orders(data: bytes) -> list[PurchaseOrderIssued]:
    """The purchase orders of every ORDERS in ``data``; raises :class:`EdifactError` if anything is rejected."""
    return _payloads(data, PurchaseOrderIssued)


def parse_contrl(data: bytes) -> list[Contrl]:
    """Every CONTRL in ``data``; raises :class:`EdifactError` if anything is rejected."""
    return [
        contrl for outcome in _checked(EdifactReading(io.BytesIO(data))) for contrl in outcome.received_acknowledgements
    ]


def _payloads(data: bytes, model: type[C]) -> list[C]:
    reading = EdifactReading(io.BytesIO(data))
    _checked(reading)
    return [decoded.payload for decoded in reading.messages() if isinstance(decoded.payload, model)]


def _checked(reading: EdifactReading) -> list[InterchangeOutcome]:
    outcomes = reading.check()
    for outcome in outcomes:
        first = _first_error(outcome)
        if first is not None:
            raise first
    return outcomes


def _first_error(outcome: InterchangeOutcome) -> EdifactError | None:
    if outcome.error is not None:
        return outcome.error
    if outcome.rejected_groups:
        return outcome.rejected_groups[0].error
    if outcome.rejected_messages:
        return outcome.rejected_messages[0].errors[0]
    return None
