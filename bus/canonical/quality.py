"""Quality: holds placed on and released from a lot."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from bus.canonical.base import CanonicalMessage, Code, Quantity, UnitOfMeasure, register


class _LotEvent(CanonicalMessage):
    hold_id: Code
    material: Code
    lot: Code
    quantity: Quantity
    unit: UnitOfMeasure

    business_key_fields = ("hold_id", "lot")


@register
class QualityHoldPlaced(_LotEvent):
    """A lot was blocked: it must not be used or shipped until released."""

    message_type = "quality.hold.placed"

    reason_code: Code
    reason_text: str = ""
    placed_by: str
    placed_at: datetime


@register
class QualityHoldReleased(_LotEvent):
    """The hold on a lot ended with a usage decision."""

    message_type = "quality.hold.released"

    disposition: Literal["release", "scrap", "rework", "return_to_supplier"]
    released_by: str
    released_at: datetime
