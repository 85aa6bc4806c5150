"""Canonical message types of the manufacturing flows, registered by type and schema version."""

from bus.canonical.base import (
    CanonicalMessage,
    UnknownMessageType,
    json_schema,
    known_types,
    model_for,
    register,
)
from bus.canonical.inventory import GoodsMovementItem, GoodsMovementPosted
from bus.canonical.logistics import ShipmentLine, ShipmentNoticeReceived, ShipmentPack
from bus.canonical.production import Component, Operation, OperationConfirmed, ProductionOrderReleased
from bus.canonical.purchasing import PurchaseOrderIssued, PurchaseOrderLine
from bus.canonical.quality import QualityHoldPlaced, QualityHoldReleased

__all__ = [
    "CanonicalMessage",
    "Component",
    "GoodsMovementItem",
    "GoodsMovementPosted",
    "Operation",
    "OperationConfirmed",
    "ProductionOrderReleased",
    "PurchaseOrderIssued",
    "PurchaseOrderLine",
    "QualityHoldPlaced",
    "QualityHoldReleased",
    "ShipmentLine",
    "ShipmentNoticeReceived",
    "ShipmentPack",
    "UnknownMessageType",
    "json_schema",
    "known_types",
    "model_for",
    "register",
]
