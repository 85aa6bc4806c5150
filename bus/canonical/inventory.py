"""Inventory: goods movements posted (goods issue to an order, goods receipt, transfers)."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from bus.canonical.base import CanonicalMessage, CanonicalPart, Code, Quantity, UnitOfMeasure, register


class GoodsMovementItem(CanonicalPart):
    line: int = Field(ge=1)
    material: Code
    quantity: Quantity
    unit: UnitOfMeasure
    storage_location: str | None = None
    batch: str | None = None
    order_number: str | None = None
    purchase_order: str | None = None
    reason_code: str | None = None


@register
class GoodsMovementPosted(CanonicalMessage):
    """A material document was posted: stock moved in, out of or within a plant."""

    message_type = "inventory.goods_movement.posted"
    business_key_fields = ("document_number",)

    document_number: Code
    document_year: int = Field(ge=1900, le=9999)
    movement_type: Code = Field(description="e.g. SAP 101 goods receipt, 261 issue to order")
    posting_date: date
    reference: str | None = None
    items: list[GoodsMovementItem] = Field(min_length=1)
