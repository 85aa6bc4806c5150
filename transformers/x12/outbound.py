"""Canonical messages to X12 files: one interchange with one functional group of 856 or 850 sets."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from bus.canonical import PurchaseOrderIssued, ShipmentNoticeReceived
from transformers.x12 import codes
from transformers.x12.asn856 import set_856
from transformers.x12.po850 import set_850
from transformers.x12.writer import OutboundGroup, OutboundSet, Party, build_interchange


def generate_856(
    notices: Iterable[ShipmentNoticeReceived],
    *,
    sender: Party,
    receiver: Party,
    control_number: int,
    when: datetime,
    group_control_number: int | None = None,
    group_version: str = "004010",
    **interchange: Any,
) -> bytes:
    """An interchange of one SH group with one 856 per notice (BSN03/BSN04 dated ``when``).

    GS02/GS03 are the ISA06/ISA08 ids; ``group_control_number`` defaults to ``control_number``. Further keyword
    arguments (``version``, ``separators``, ``usage``, ``ack_requested``, ``newline``) go to
    :func:`build_interchange`.
    """
    sets = [set_856(notice, created_at=when) for notice in notices]
    return _interchange(
        codes.FUNCTIONAL_IDS["856"],
        sets,
        sender,
        receiver,
        control_number,
        when,
        group_control_number,
        group_version,
        interchange,
    )


def generate_850(
    orders: Iterable[PurchaseOrderIssued],
    *,
    sender: Party,
    receiver: Party,
    control_number: int,
    when: datetime,
    group_control_number: int | None = None,
    group_version: str = "004010",
    **interchange: Any,
) -> bytes:
    """An interchange of one PO group with one 850 per order; arguments as for :func:`generate_856`."""
    sets = [set_850(order) for order in orders]
    return _interchange(
        codes.FUNCTIONAL_IDS["850"],
        sets,
        sender,
        receiver,
        control_number,
        when,
        group_control_number,
        group_version,
        interchange,
    )


def _interchange(
    functional_id: str,
    sets: list[OutboundSet],
    sender: Party,
    receiver: Party,
    control_number: int,
    when: datetime,
    group_control_number: int | None,
    group_version: str,
    options: dict[str, Any],
) -> bytes:
    group = OutboundGroup(
        functional_id,
        sender[1],
        receiver[1],
        control_number if group_control_number is None else group_control_number,
        sets,
        version=group_version,
    )
    return build_interchange(
        [group], sender=sender, receiver=receiver, control_number=control_number, when=when, **options
    )
