"""Production: order released to the shop floor, operation confirmed by the MES."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import Field

from bus.canonical.base import CanonicalMessage, CanonicalPart, Code, Quantity, UnitOfMeasure, register


class Operation(CanonicalPart):
    number: Code = Field(description="Operation number in the routing, e.g. 0010")
    description: str = ""
    work_center: Code
    control_key: str | None = None
    setup_time: Quantity | None = None
    machine_time: Quantity | None = None
    labor_time: Quantity | None = None
    time_unit: UnitOfMeasure = "MIN"
    confirmation_number: str | None = None


class Component(CanonicalPart):
    item: Code = Field(description="BOM item number, e.g. 0010")
    material: Code
    description: str = ""
    quantity: Quantity
    unit: UnitOfMeasure
    storage_location: str | None = None
    backflush: bool = False


@register
class ProductionOrderReleased(CanonicalMessage):
    """A production order was released in the ERP and may be executed."""

    message_type = "production.order.released"
    business_key_fields = ("order_number",)

    order_number: Code
    order_type: Code
    material: Code
    description: str = ""
    quantity: Quantity
    unit: UnitOfMeasure
    scheduled_start: datetime
    scheduled_end: datetime
    batch: str | None = None
    sales_order: str | None = None
    operations: list[Operation] = Field(min_length=1)
    components: list[Component] = Field(default_factory=list)


@register
class OperationConfirmed(CanonicalMessage):
    """The MES confirmed work on one operation of a production order."""

    message_type = "production.operation.confirmed"
    business_key_fields = ("order_number", "operation")

    order_number: Code
    operation: Code
    work_center: Code
    confirmation_number: str | None = None
    yield_quantity: Quantity
    scrap_quantity: Quantity = Decimal(0)
    rework_quantity: Quantity = Decimal(0)
    unit: UnitOfMeasure
    scrap_reason: str | None = None
    setup_time: Quantity = Decimal(0)
    machine_time: Quantity = Decimal(0)
    labor_time: Quantity = Decimal(0)
    time_unit: UnitOfMeasure = "MIN"
    personnel_number: str | None = None
    final_confirmation: bool = False
    confirmed_at: datetime
