"""Canonical types and the envelope: validation, versions, JSON schema, the AMQP mapping."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from decimal import Decimal
from typing import Annotated, Any

import pytest
from pydantic import BaseModel, Field, TypeAdapter, ValidationError

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
from bus.canonical.base import Quantity
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


class _Measured(BaseModel):
    quantity: Quantity


PYDANTIC_QUANTITY = TypeAdapter(Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=6)])
"""What ``Quantity`` stands for: pydantic's own constraints, which it checks faster."""


def quantity_outcome(value: Any) -> tuple[str, Any]:
    """("ok", the value kept) or ("refused", error type, message, context) of a quantity."""
    try:
        return "ok", _Measured(quantity=value).quantity
    except ValidationError as exc:
        (error,) = exc.errors()
        assert error["loc"] == ("quantity",)
        return "refused", (error["type"], error["msg"], error.get("ctx"))


def pydantic_outcome(value: Any) -> tuple[str, Any]:
    try:
        return "ok", PYDANTIC_QUANTITY.validate_python(value)
    except ValidationError as exc:
        (error,) = exc.errors()
        return "refused", (error["type"], error["msg"], error.get("ctx"))


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        ("123456789012.123456", Decimal("123456789012.123456")),  # 18 digits, 12 before the point and 6 after
        ("999999999999", Decimal("999999999999")),
        ("0.123456", Decimal("0.123456")),
        ("0.000001", Decimal("0.000001")),
        ("1.50000000", Decimal("1.50000000")),  # trailing zeros do not count, and the value keeps them
        ("0", Decimal(0)),
        ("-0.000", Decimal("-0.000")),  # minus zero is zero
        ("1E+3", Decimal("1E+3")),
        ("1E+11", Decimal("1E+11")),
        ("1E-6", Decimal("1E-6")),
        (Decimal("250.000"), Decimal("250.000")),
        (7, Decimal(7)),
        (2.5, Decimal("2.5")),
    ],
)
def test_a_quantity_within_the_limits_is_kept_as_given(value, kept):
    outcome, quantity = quantity_outcome(value)
    assert outcome == "ok" and quantity == kept and str(quantity) == str(kept)


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        ("1234567890123.123456", "decimal_max_digits", "no more than 18 digits in total"),  # 19 digits
        ("123456789012.1234567", "decimal_max_digits", "no more than 18 digits in total"),
        ("1234567890123456789", "decimal_max_digits", "no more than 18 digits in total"),
        ("0.1234567", "decimal_max_places", "no more than 6 decimal places"),
        ("1E-7", "decimal_max_places", "no more than 6 decimal places"),
        ("1234567890123", "decimal_whole_digits", "no more than 12 digits before the decimal point"),
        ("1E+12", "decimal_whole_digits", "no more than 12 digits before the decimal point"),
        ("-1", "greater_than_equal", "greater than or equal to 0"),
        ("-0.001", "greater_than_equal", "greater than or equal to 0"),
        ("-1234567890123456789", "decimal_max_digits", "no more than 18 digits in total"),  # digits checked first
        ("NaN", "finite_number", "finite number"),
        ("-Infinity", "finite_number", "finite number"),
        (float("inf"), "finite_number", "finite number"),
        ("12,5", "decimal_parsing", "valid decimal"),
    ],
)
def test_a_quantity_beyond_the_limits_is_refused_naming_the_limit(value, error, message):
    outcome, (kind, text, _) = quantity_outcome(value)
    assert outcome == "refused" and kind == error and message in text
    with pytest.raises(ValidationError, match=rf"quantity\n.*{message}"):
        _Measured(quantity=value)


def random_decimal_text(rng: random.Random) -> str:
    digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 22)))
    if rng.random() < 0.3:
        digits += "0" * rng.randint(1, 8)
    return f"{rng.choice(['', '', '-'])}{digits}E{rng.randint(-14, 14)}"


def test_quantities_accept_and_refuse_exactly_what_pydantic_constraints_do():
    rng = random.Random(18_6)
    texts = [random_decimal_text(rng) for _ in range(20_000)]
    texts += ["0E+20", "0E-20", "1.00000000000000000000000000001", "999999999999.9999999999999999999", "sNaN"]
    for text in texts:
        for value in (text, Decimal(text)):
            assert quantity_outcome(value) == pydantic_outcome(value), value


def test_the_quantity_json_schema_states_the_limits_as_before():
    properties = _Measured.model_json_schema()["properties"]["quantity"]
    assert properties == {**PYDANTIC_QUANTITY.json_schema(), "title": "Quantity"}
    assert {"minimum": 0.0, "type": "number"} in properties["anyOf"]


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
