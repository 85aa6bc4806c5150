"""Logistics: advance shipping notices received from suppliers."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from bus.canonical.base import CanonicalMessage, CanonicalPart, Code, Quantity, UnitOfMeasure, register


class ShipmentLine(CanonicalPart):
    line_number: int = Field(ge=1)
    material: Code
    supplier_material: str | None = None
    quantity: Quantity
    unit: UnitOfMeasure
    batch: str | None = None
    purchase_order: str | None = None
    purchase_order_line: str | None = None


class ShipmentPack(CanonicalPart):
    sscc: str | None = Field(default=None, pattern=r"^\d{18}$", description="GS1 serial shipping container code")
    package_type: str | None = None
    gross_weight: Quantity | None = None
    weight_unit: UnitOfMeasure | None = None
    lines: list[ShipmentLine] = Field(min_length=1)


@register
class ShipmentNoticeReceived(CanonicalMessage):
    """A supplier announced a shipment (ASN, X12 856 or EDIFACT DESADV) to a receiving plant."""

    message_type = "logistics.shipment_notice.received"
    business_key_fields = ("asn_number", "supplier_id")

    asn_number: Code
    supplier_id: Code
    shipped_at: datetime
    expected_delivery: datetime | None = None
    carrier: str | None = None
    tracking_number: str | None = None
    packs: list[ShipmentPack] = Field(min_length=1)
