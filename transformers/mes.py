"""Maps from canonical messages to the MES REST API's documents."""

from __future__ import annotations

import json
from decimal import Decimal

from bus.canonical import ProductionOrderReleased
from bus.envelope import Envelope
from bus.errors import TransformFailed
from transformers.registry import Document, transformer

_MINUTES_PER = {"MIN": 1, "H": 60, "HR": 60, "STD": 60, "S": Decimal(1) / 60, "SEC": Decimal(1) / 60}


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _minutes(value: Decimal | None, unit: str) -> float | None:
    if value is None:
        return None
    factor = _MINUTES_PER.get(unit.upper())
    if factor is None:
        raise TransformFailed(f"time unit {unit!r} cannot be converted to minutes")
    return float(value * factor)


@transformer("mes.production_order.v1")
def production_order_to_mes(envelope: Envelope) -> Document:
    """Production order released -> MES ``POST /orders`` body (work order with steps and material list)."""
    order = envelope.payload
    if not isinstance(order, ProductionOrderReleased):
        raise TransformFailed(f"mes.production_order.v1 maps production.order.released, not {envelope.type}")
    body = {
        "workOrder": order.order_number,
        "site": order.plant,
        "product": {"code": order.material, "name": order.description},
        "quantity": {"value": _number(order.quantity), "uom": order.unit},
        "window": {"start": order.scheduled_start.isoformat(), "end": order.scheduled_end.isoformat()},
        "lot": order.batch,
        "steps": [
            {
                "sequence": op.number,
                "name": op.description,
                "resource": op.work_center,
                "setupMinutes": _minutes(op.setup_time, op.time_unit),
                "runMinutes": _minutes(op.machine_time, op.time_unit),
            }
            for op in order.operations
        ],
        "materials": [
            {"code": c.material, "quantity": _number(c.quantity), "uom": c.unit, "backflush": c.backflush}
            for c in order.components
        ],
        "trace": {"messageId": str(envelope.message_id), "correlationId": envelope.correlation_id},
    }
    return Document(body=json.dumps(body, separators=(",", ":")).encode(), name=f"{order.order_number}.json")
