"""Canonical types and the envelope: validation, versions, JSON schema, the AMQP mapping."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal

import pytest
from pydantic import ValidationError

from bus.canonical import (
    GoodsMovementPosted,
    OperationConfirmed,
    ProductionOrderReleased,
    QualityHoldReleased,
    ShipmentNoticeReceived,
    UnknownMessageType,
    json_schema,
    known_types,
    model_for,
)
from bus.envelope import Envelope, Source
from tests.support.payloads import production_order

EXPECTED_TYPES = {
    "production.order.released",
    "production.operation.confirmed",
    "inventory.goods_movement.posted",
    "quality.hold.placed",
    "quality.hold.released",
    "logistics.shipment_notice.received",
}


def test_the_manufacturing_types_are_registered():
    assert set(known_types()) >= EXPECTED_TYPES
    assert model_for("production.order.released") is ProductionOrderReleased
    with pytest.raises(UnknownMessageType, match=r"unknown message type 'production\.order\.relased'"):
        model_for("production.order.relased")


@pytest.mark.parametrize("message_type", sorted(EXPECTED_TYPES))
def test_every_type_exports_a_versioned_json_schema(message_type):
    schema = json_schema(message_type)
    assert schema["title"] == message_type
    assert schema["x-esb-schema-version"] == 1
    assert "plant" in schema["required"]
    assert schema["additionalProperties"] is False


def test_schema_command_prints_the_schema():
    result = subprocess.run(
        [sys.executable, "-m", "bus.cli", "schema", "logistics.shipment_notice.received"],
        capture_output=True,
        text=True,
        check=True,
    )
    schema = json.loads(result.stdout)
    assert {"asn_number", "supplier_id", "packs"} <= set(schema["required"])


def test_payloads_are_validated_strictly():
    order = ProductionOrderReleased.model_validate(production_order())
    assert order.quantity == Decimal("250")
    assert order.operations[1].time_unit == "H"
    with pytest.raises(ValidationError, match="operations"):
        ProductionOrderReleased.model_validate(production_order(operations=[]))
    with pytest.raises(ValidationError, match="plant"):
        ProductionOrderReleased.model_validate(production_order(plant="10.00"))  # a dot would break routing keys
    with pytest.raises(ValidationError, match="Extra inputs"):
        ProductionOrderReleased.model_validate(production_order(colour="red"))
    with pytest.raises(ValidationError, match="greater than or equal to 0"):
        ProductionOrderReleased.model_validate(production_order(quantity="-1"))


def test_other_types_validate_their_business_rules():
    with pytest.raises(ValidationError, match="disposition"):
        QualityHoldReleased.model_validate(
            {
                "plant": "1000",
                "hold_id": "H1",
                "material": "M",
                "lot": "L",
                "quantity": 1,
                "unit": "EA",
                "disposition": "ignore",
                "released_by": "x",
                "released_at": "2026-12-01T00:00:00Z",
            }
        )
    with pytest.raises(ValidationError, match="sscc"):
        ShipmentNoticeReceived.model_validate(
            {
                "plant": "1000",
                "asn_number": "A1",
                "supplier_id": "S1",
                "shipped_at": "2026-12-01T00:00:00Z",
                "packs": [{"sscc": "123", "lines": [{"line_number": 1, "material": "M", "quantity": 1, "unit": "EA"}]}],
            }
        )
    confirmed = OperationConfirmed.model_validate(
        {
            "plant": "1000",
            "order_number": "4711",
            "operation": "0010",
            "work_center": "LATHE-01",
            "yield_quantity": "240",
            "scrap_quantity": "10",
            "unit": "EA",
            "confirmed_at": "2026-12-02T10:00:00Z",
        }
    )
    assert confirmed.business_keys() == {"order_number": "4711", "operation": "0010"}
    movement = GoodsMovementPosted.model_validate(
        {
            "plant": "1000",
            "document_number": "4900000001",
            "document_year": 2026,
            "movement_type": "261",
            "posting_date": "2026-12-02",
            "items": [{"line": 1, "material": "RM-CAST-88", "quantity": "250", "unit": "EA", "order_number": "4711"}],
        }
    )
    assert movement.items[0].order_number == "4711"


def test_envelope_wraps_a_payload_with_lineage():
    order = ProductionOrderReleased.model_validate(production_order(plant="2000"))
    envelope = Envelope.wrap(order, Source(system="SAP-PRD", interface="LOIPRO"), causation_id="idoc-123")
    assert envelope.type == "production.order.released"
    assert envelope.routing_key == "production.order.released.2000"
    assert envelope.correlation_id == str(envelope.message_id)  # a new transaction starts here
    assert envelope.schema_version == 1
    assert envelope.occurred_at.tzinfo is not None
    view = envelope.filter_view()
    assert view["payload"]["order_number"] == "100012345"
    assert view["source"] == {"system": "SAP-PRD", "interface": "LOIPRO"}
