"""Maps from canonical messages to the arguments of legacy SOAP operations (for ``target: {adapter: soap}``).

A SOAP map returns a ``Document`` whose ``fields`` are the operation's arguments by element name and whose
``name`` is the operation; its ``body`` is the same arguments as JSON, what a person sees on a parked message.
"""

from __future__ import annotations

import json
from typing import Any

from bus.canonical import QualityHoldPlaced
from bus.envelope import Envelope
from bus.errors import TransformFailed
from transformers.registry import Document, transformer


def soap_document(fields: dict[str, Any], operation: str | None = None) -> Document:
    """The arguments of one call; ``None`` values are left out (optional elements not sent)."""
    arguments = {name: value for name, value in fields.items() if value is not None}
    body = json.dumps(arguments, default=str, separators=(",", ":")).encode()
    return Document(body=body, media_type="application/json", name=operation, fields=arguments)


@transformer("soap.payload_fields")
def payload_fields(envelope: Envelope) -> Document:
    """The canonical payload's fields as the arguments, unchanged (for services that took the canonical names).

    The target's ``operation`` setting names the operation.
    """
    return soap_document(envelope.payload.model_dump())


@transformer("qms.block_lot.v1")
def quality_hold_to_block_lot(envelope: Envelope) -> Document:
    """Quality hold placed -> the legacy QMS ``BlockLot`` operation (lot control service)."""
    hold = envelope.payload
    if not isinstance(hold, QualityHoldPlaced):
        raise TransformFailed(f"qms.block_lot.v1 maps quality.hold.placed, not {envelope.type}")
    return soap_document(
        {
            "LotNumber": hold.lot,
            "MaterialNumber": hold.material,
            "PlantCode": hold.plant,
            "Quantity": hold.quantity,
            "UnitOfMeasure": hold.unit,
            "ReasonCode": hold.reason_code,
            "ReasonText": hold.reason_text or None,
            "BlockedBy": hold.placed_by,
            "BlockedAt": hold.placed_at,
            "HoldReference": hold.hold_id,
        },
        operation="BlockLot",
    )
