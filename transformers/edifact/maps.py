"""The message maps this codec knows, found by message identifier (inbound) or canonical type (outbound)."""

from __future__ import annotations

from typing import Any

from transformers.edifact.desadv import DESADV
from transformers.edifact.headers import MessageIdentifier
from transformers.edifact.mapping import MessageMap
from transformers.edifact.orders import ORDERS

MAPS: tuple[MessageMap[Any], ...] = (DESADV, ORDERS)
_BY_IDENTIFIER = {(m.identifier.type, m.identifier.version, m.identifier.release): m for m in MAPS}


def map_for(identifier: MessageIdentifier) -> MessageMap[Any] | None:
    """The map of a message type, version and release, None when unsupported."""
    return _BY_IDENTIFIER.get((identifier.type, identifier.version, identifier.release))


def is_known_type(message_type: str) -> bool:
    """True when some version of ``message_type`` is supported."""
    return any(m.identifier.type == message_type for m in MAPS)


def supported() -> str:
    """The supported messages, for reasons: "DESADV D:96A, ORDERS D:96A"."""
    return ", ".join(f"{m.identifier.type} {m.identifier.version}:{m.identifier.release}" for m in MAPS)
