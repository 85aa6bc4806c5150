"""Maps between IDoc types and canonical messages, found by IDoc type (decoding) or canonical type (encoding)."""

from __future__ import annotations

from bus.canonical import CanonicalMessage
from transformers.idoc.maps.base import Context, IdocMap
from transformers.idoc.maps.confirmation import TIME_TICKETS
from transformers.idoc.maps.goods_movement import MBGMCR, WMMBXY
from transformers.idoc.maps.production_order import PRODUCTION_ORDER
from transformers.idoc.model import ControlRecord

MAPS: tuple[IdocMap, ...] = (PRODUCTION_ORDER, WMMBXY, MBGMCR, TIME_TICKETS)
"""Every map; the first one for a canonical type is the one its messages are written with by default."""

_BY_IDOC_TYPE = {name: idoc_map for idoc_map in reversed(MAPS) for name in idoc_map.reads}


def map_for_idoc(control: ControlRecord) -> IdocMap | None:
    """The map reading IDocs of this basic type (or, for a type unknown by name, of this message type)."""
    return _BY_IDOC_TYPE.get(control.IDOCTYP) or _BY_IDOC_TYPE.get(control.MESTYP)


def map_for_message(message: CanonicalMessage, idoc_type: str | None = None) -> IdocMap | None:
    """The map writing ``message``: the default one for its type, or the one writing ``idoc_type``."""
    for idoc_map in MAPS:
        if isinstance(message, idoc_map.canonical) and idoc_type in (None, idoc_map.idoc_type):
            return idoc_map
    return None


def mapped_types() -> list[str]:
    """The canonical message types that have an IDoc map."""
    return sorted({idoc_map.canonical.message_type for idoc_map in MAPS})


__all__ = ["MAPS", "Context", "IdocMap", "map_for_idoc", "map_for_message", "mapped_types"]
