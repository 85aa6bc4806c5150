"""Purchasing: purchase orders the manufacturer issues to its suppliers (X12 850, EDIFACT ORDERS)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from bus.canonical.base import CanonicalMessage, CanonicalPart, Code, Quantity, UnitOfMeasure, register


class PurchaseOrderLine(CanonicalPart):
    line_number: int = Field(ge=1)
    material: Code = Field(description="The buyer's material number")
    supplier_material: str | None = None
    description: str = ""
    quantity: Quantity
    unit: UnitOfMeasure
    unit_price: Quantity | None = None
    delivery_date: date | None = None


@register
class PurchaseOrderIssued(CanonicalMessage):
    """A purchase order was issued to a supplier for delivery to a plant."""

    message_type = "purchasing.order.issued"
    business_key_fields = ("po_number", "supplier_id")

    po_number: Code
    supplier_id: Code
    buyer_id: Code = Field(description="The ordering company's id as known to the supplier")
    order_date: date
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    issued_at: datetime | None = None
    lines: list[PurchaseOrderLine] = Field(min_length=1)
