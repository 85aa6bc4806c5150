"""Generators: canonical messages (and CONTRLs) in, complete EDIFACT interchanges out.

Keyword options are those of :class:`~transformers.edifact.writer.InterchangeWriter`: ``prepared_at``,
``syntax_id`` (default UNOC), ``syntax_version`` (default 3), ``delimiters`` (a UNA is written when they differ from
the defaults), ``una``, ``acknowledgement_requested``, ``test``, ``newline``... Messages are numbered 1, 2, ...
in UNH.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bus.canonical import PurchaseOrderIssued, ShipmentNoticeReceived
from transformers.edifact import contrl as contrl_message
from transformers.edifact.contrl import Contrl
from transformers.edifact.desadv import DESADV
from transformers.edifact.headers import Party
from transformers.edifact.mapping import MessageMap
from transformers.edifact.orders import ORDERS
from transformers.edifact.writer import build_interchange


def generate_desadv(
    notices: Iterable[ShipmentNoticeReceived],
    *,
    sender: Party,
    recipient: Party,
    control_reference: str,
    **options: Any,
) -> bytes:
    """An interchange with one DESADV D.96A per shipment notice."""
    return _generate(
        DESADV, notices, sender=sender, recipient=recipient, control_reference=control_reference, **options
    )


def generate_orders(
    orders: Iterable[PurchaseOrderIssued],
    *,
    sender: Party,
    recipient: Party,
    control_reference: str,
    **options: Any,
) -> bytes:
    """An interchange with one ORDERS D.96A per purchase order."""
    return _generate(ORDERS, orders, sender=sender, recipient=recipient, control_reference=control_reference, **options)


def generate_contrl(
    contrl: Contrl,
    *,
    sender: Party,
    recipient: Party,
    control_reference: str,
    message_reference: str = "1",
    **options: Any,
) -> bytes:
    """An interchange holding one CONTRL (CONTRL D:3, or 4:1 when ``syntax_version`` is 4)."""
    identifier = contrl_message.identifier_for(options.get("syntax_version", "3"))
    return build_interchange(
        [(message_reference, identifier, contrl_message.write(contrl))],
        sender=sender,
        recipient=recipient,
        control_reference=control_reference,
        **options,
    )


def _generate(mapping: MessageMap[Any], payloads: Iterable[Any], **options: Any) -> bytes:
    def bodies() -> Iterable[tuple[str, Any, Any]]:
        for number, payload in enumerate(payloads, start=1):
            if not isinstance(payload, mapping.model):
                carried = mapping.model.__name__
                raise TypeError(f"{mapping.identifier.type} carries {carried}, not {type(payload).__name__}")
            yield str(number), mapping.identifier, mapping.write(payload)

    return build_interchange(bodies(), **options)
