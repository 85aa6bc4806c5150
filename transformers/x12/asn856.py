"""856 Ship Notice/Manifest (004010) <-> :class:`ShipmentNoticeReceived`.

Heading: ``BSN`` (BSN02 the ASN number, BSN03/04 its date and time). Detail: an ``HL`` hierarchy of shipment
(S), order (O), pack (P) and item (I) levels (BSN05 ``0001``), each level's segments in standard order:

* S: ``TD5`` carrier (TD503 SCAC, or TD505 routing), ``REF*CN`` tracking (``REF*BM`` bill of lading when no CN),
  ``DTM*011`` shipped, ``DTM*017`` expected delivery, ``N1*SU`` supplier (``N1*SF`` when no SU) and ``N1*ST`` the
  receiving plant, each by its N104 code;
* O: ``PRF`` purchase order number;
* P: ``TD1`` packaging code and gross weight, ``MAN*GM`` SSCC-18;
* I: ``LIN`` line number (LIN01) with product IDs ``BP`` (material), ``VP`` (supplier material), ``PL`` (purchase
  order line), ``SN1`` quantity and unit, ``PRF`` when the item's order differs from its O level, ``REF*LT`` batch.

Reading is lenient where X12 allows variants: shipment data in the heading DTM, a tare (T) level between order and
pack, items without a pack level (read as one pack without SSCC per parent level). ``CTT01``, when sent, must be
the number of HL segments.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby, islice
from typing import NoReturn

from bus.canonical import ShipmentNoticeReceived
from bus.canonical.logistics import ShipmentLine, ShipmentPack
from transformers.x12 import codes, values
from transformers.x12.errors import GenerationError, TransactionSetError
from transformers.x12.mapping import (
    CTT01,
    DTM,
    N104,
    REF02,
    Elem,
    QualifiedId,
    Schema,
    SetSource,
    element,
    first_of_each,
    padded,
    written_datetime,
)
from transformers.x12.writer import OutboundSet, Segment

BSN02 = Elem("BSN", 2, "396", "shipment identification", 2, 30)
BSN03 = Elem("BSN", 3, "373", "date", 8, 8)
BSN04 = Elem("BSN", 4, "337", "time", 4, 8)
HL01 = Elem("HL", 1, "628", "hierarchical ID number", 1, 12)
HL02 = Elem("HL", 2, "734", "hierarchical parent ID number", 1, 12)
HL03 = Elem("HL", 3, "735", "hierarchical level code", 1, 2)
LIN01 = Elem("LIN", 1, "350", "assigned identification", 1, 20)
LIN_IDS = {i: Elem("LIN", i, "234", "product/service ID", 1, 48) for i in range(3, 32, 2)}
SN102 = Elem("SN1", 2, "382", "number of units shipped", 1, 10)
SN103 = Elem("SN1", 3, "355", "unit of measurement code", 2, 2)
PRF01 = Elem("PRF", 1, "324", "purchase order number", 1, 22)
TD101 = Elem("TD1", 1, "103", "packaging code", 3, 5)
TD106 = Elem("TD1", 6, "187", "weight qualifier", 1, 2)
TD107 = Elem("TD1", 7, "81", "weight", 1, 10)
TD108 = Elem("TD1", 8, "355", "unit of measurement code", 2, 2)
TD503 = Elem("TD5", 3, "67", "identification code", 2, 80)
TD505 = Elem("TD5", 5, "387", "routing", 1, 35)
MAN02 = Elem("MAN", 2, "87", "marks and numbers", 1, 48)

_SCAC = re.compile(r"[A-Z]{2,4}\Z")

SHIPMENT, ORDER, PACK, ITEM = "S", "O", "P", "I"


# -- reading -------------------------------------------------------------------------------------------------------


@dataclass(eq=False, slots=True)
class _Level:
    """One HL level: its HL at ``position``, its other segments up to ``stop`` (positions, ST = 1)."""

    id: str
    parent: _Level | None
    code: str
    position: int
    stop: int = 0
    prf: int = 0
    """Position of the level's PRF, 0 when it has none."""

    def ancestor(self, code: str) -> _Level | None:
        level = self.parent
        while level is not None and level.code != code:
            level = level.parent
        return level

    def order(self) -> int:
        """Position of the PRF that applies to this level: its own or its nearest ancestor's; 0 if none."""
        level: _Level | None = self
        while level is not None and not level.prf:
            level = level.parent
        return level.prf if level is not None else 0


def parse_856(
    segments: Sequence[list[str]], *, notes: list[TransactionSetError] | None = None
) -> ShipmentNoticeReceived:
    """Map a received 856 (``segments[0]`` is ST) to a shipment notice.

    Raises :class:`MappingError` naming the segment and element at fault. With ``notes`` given, an invalid
    optional date is noted there (AK5 ``E``) and left out instead.
    """
    return SetSource.map(segments, notes, _read, ShipmentNoticeReceived)


def issued_at(segments: Sequence[list[str]]) -> datetime | None:
    """BSN03/BSN04, when the supplier issued the notice; None when absent or invalid."""
    bsn = segments[1] if len(segments) > 1 else []
    try:
        return values.parse_datetime(bsn[3], bsn[4] if len(bsn) > 4 else "")
    except (IndexError, ValueError):
        return None


def _read(source: SetSource) -> dict[str, object]:
    source.expect(2, "BSN", "beginning segment for ship notice")
    heading, levels, ctt = _hierarchy(source)
    shipment = _shipment_level(source, levels)
    if ctt and source.count(ctt, CTT01) != len(levels):
        raise source.error(ctt, CTT01, f"is not the number of HL segments ({len(levels)})", codes.ELEMENT_INVALID_CODE)
    notice = _shipment(source, shipment, heading)
    notice["packs"] = _packs(source, shipment, levels)
    return notice


_MARKS = frozenset({"HL", "PRF", "CTT"})


def _hierarchy(source: SetSource) -> tuple[_Level, list[_Level], int]:
    """The heading pseudo-level, the HL levels in order, and the CTT position (0 if none)."""
    segments = source.segments
    heading = current = _Level("", None, "", 2)
    levels: list[_Level] = []
    by_id: dict[str, _Level] = {}
    ctt = 0
    for position, segment in enumerate(islice(segments, 2, None), start=3):
        tag = segment[0]
        if tag not in _MARKS:
            continue
        if tag == "HL":  # HL01 new and HL03 given; HL02 an earlier HL01, or empty
            current.stop = position - 1
            if len(segment) < 4 or segment[1] in by_id or not (segment[1] and segment[3]):
                _bad_level(source, position, by_id)
            parent = by_id.get(segment[2])
            if parent is None and segment[2]:
                _bad_level(source, position, by_id)
            current = by_id[segment[1]] = _Level(segment[1], parent, segment[3], position)
            levels.append(current)
        elif tag == "PRF":
            current.prf = current.prf or position
        else:
            ctt = position
    current.stop = ctt - 1 if ctt else len(segments) - (segments[-1][0] == "SE")
    return heading, levels, ctt


def _bad_level(source: SetSource, position: int, by_id: dict[str, _Level]) -> NoReturn:
    """Raise the error of an HL segment that cannot open a level."""
    hl_id = source.text(position, HL01, required=True)
    source.text(position, HL03, required=True)
    if hl_id in by_id:
        raise source.error(position, HL01, "is used by an earlier HL", codes.ELEMENT_INVALID_CODE, value=hl_id)
    parent_id = source.text(position, HL02)
    raise source.error(position, HL02, "names no earlier HL", codes.ELEMENT_INVALID_CODE, value=parent_id)


def _shipment_level(source: SetSource, levels: list[_Level]) -> _Level:
    shipments = [level for level in levels if level.code == SHIPMENT]
    if not shipments:
        raise source.missing(3, "HL", "the shipment level (HL03 = S)")
    if len(shipments) > 1:
        raise source.segment_error(
            shipments[1].position, "HL", "a second shipment level (HL03 = S): one 856 is one shipment"
        )
    return shipments[0]


@dataclass(frozen=True, slots=True)
class _Carrier:
    """TD503 (the SCAC, when TD502 qualifies it), else TD505 (routing, free text)."""

    def resolve(self, segment: list[str]) -> Elem:
        return TD503 if element(segment, 2) else TD505


_CARRIER = _Carrier()
_NOTICE: Schema = {
    "asn_number": ("BSN", BSN02),
    "plant": ("ST", N104),
    "supplier_id": ("SU", N104),
    "carrier": ("TD5", _CARRIER),
    "tracking_number": ("REF", REF02),
}
_PACK: Schema = {
    "sscc": ("MAN", MAN02),
    "package_type": ("TD1", TD101),
    "gross_weight": ("TD1", TD107),
    "weight_unit": ("TD1", TD108),
}
_LINE: Schema = {
    "line_number": ("LIN", LIN01),
    "quantity": ("SN1", SN102),
    "unit": ("SN1", SN103),
    "material": ("LIN", QualifiedId("BP", LIN_IDS, 2)),
    "supplier_material": ("LIN", QualifiedId("VP", LIN_IDS, 2)),
    "purchase_order_line": ("LIN", QualifiedId("PL", LIN_IDS, 2)),
    "batch": ("REF", REF02),
    "purchase_order": ("PRF", PRF01),
}


def _shipment(source: SetSource, shipment: _Level, heading: _Level) -> dict[str, object]:
    """The notice's own fields: from the shipment level, else the heading."""
    segments = source.segments
    found = first_of_each(segments, shipment.position + 1, shipment.stop)
    if heading.stop > heading.position:  # segments before the first HL, which the shipment level's win over
        found = first_of_each(segments, heading.position + 1, heading.stop) | found
    shipped = found.get(("DTM", "011"))
    if shipped is None:
        raise source.missing(shipment.position, "DTM", "DTM*011 (shipped date) of the shipment level")
    supplier = found.get(("N1", "SU")) or found.get(("N1", "SF"))
    if supplier is None:
        raise source.missing(shipment.position, "N1", "N1*SU (supplier) or N1*SF (ship from) of the shipment level")
    plant = found.get(("N1", "ST"))
    if plant is None:
        raise source.missing(shipment.position, "N1", "N1*ST (ship to plant) of the shipment level")
    expected = found.get(("DTM", "017"))
    tracking = found.get(("REF", "CN")) or found.get(("REF", "BM")) or 0
    td5 = _first(segments, "TD5", shipment)
    if source.explaining:
        source.record((), _NOTICE, {"BSN": 2, "ST": plant, "SU": supplier, "TD5": td5, "REF": tracking})
    return {
        "asn_number": element(segments[1], 2),
        "plant": element(segments[plant - 1], 4),
        "supplier_id": element(segments[supplier - 1], 4),
        "shipped_at": source.read_datetime(shipped, DTM),
        "expected_delivery": source.read_datetime(expected, DTM, optional=True) if expected else None,
        "carrier": _carrier(segments[td5 - 1]) if td5 else None,
        "tracking_number": (element(segments[tracking - 1], 2) or None) if tracking else None,
    }


def _first(segments: Sequence[list[str]], tag: str, level: _Level) -> int:
    """Position of the level's first ``tag`` segment; 0 if it has none."""
    position = level.position
    for segment in segments[position : level.stop]:
        position += 1
        if segment[0] == tag:
            return position
    return 0


def _carrier(td5: list[str]) -> str | None:
    return element(td5, _CARRIER.resolve(td5).index) or None


_Pack = tuple[int, dict[str, object], list[dict[str, object]]]
"""A pack being read: its index, its fields, its lines."""


def _packs(source: SetSource, shipment: _Level, levels: list[_Level]) -> list[dict[str, object]]:
    packs: dict[_Level, _Pack] = {}
    for level in levels:
        code = level.code
        if code == ITEM:
            holder = level.ancestor(PACK) or level.parent or shipment
            found = packs.get(holder)
            if found is None:  # items without a pack level: one pack without SSCC per parent
                lines: list[dict[str, object]] = []
                found = packs[holder] = (len(packs), {"lines": lines}, lines)
            index, _, lines = found
            lines.append(_line(source, level, index, len(lines)))
        elif code == PACK:
            packs[level] = _pack(source, level, len(packs))
    if not packs:
        raise source.missing(shipment.position, "HL", "item levels (HL03 = I): the shipment has no items")
    for level, (_, _, lines) in packs.items():
        if not lines:
            raise source.segment_error(level.position, "HL", f"pack HL {level.id} has no item levels (HL03 = I)")
    return [pack for _, pack, _ in packs.values()]


def _pack(source: SetSource, level: _Level, index: int) -> _Pack:
    lines: list[dict[str, object]] = []
    pack: dict[str, object] = {"lines": lines}
    man = td1 = 0
    position = level.position
    for segment in source.segments[position : level.stop]:
        position += 1
        tag = segment[0]
        if tag == "MAN":
            if not man and len(segment) > 1 and segment[1] == "GM":
                man = position
                pack["sscc"] = element(segment, 2)
        elif tag == "TD1" and not td1:
            td1 = position
            td1_elements = padded(segment, 9)
            pack["package_type"] = td1_elements[1] or None
            if td1_elements[6] == "G":
                pack["gross_weight"], pack["weight_unit"] = td1_elements[7], td1_elements[8]
    if source.explaining:
        source.record(("packs", index), _PACK, {"MAN": man, "TD1": td1})
    return index, pack, lines


def _line(source: SetSource, level: _Level, pack: int, number: int) -> dict[str, object]:
    """Line ``number`` of pack ``pack``, from item level ``level``."""
    segments = source.segments
    lin = sn1 = batch = 0
    position = level.position
    for segment in segments[position : level.stop]:
        position += 1
        tag = segment[0]
        if tag == "LIN":
            lin = lin or position
        elif tag == "SN1":
            sn1 = sn1 or position
        elif tag == "REF" and not batch and len(segment) > 2 and segment[1] == "LT":
            batch = position
    if not lin:
        raise source.missing(level.position, "LIN", f"LIN (item identification) of item HL {level.id}")
    if not sn1:
        raise source.missing(level.position, "SN1", f"SN1 (quantity shipped) of item HL {level.id}")
    order = level.order()
    if source.explaining:
        source.record(("packs", pack, "lines", number), _LINE, {"LIN": lin, "SN1": sn1, "REF": batch, "PRF": order})
    item, shipped = segments[lin - 1], segments[sn1 - 1]
    material = supplier_material = purchase_order_line = None
    for at in range(3, min(len(item), 30), 2):  # (qualifier, ID) pairs, LIN02/03 to LIN28/29: a later one wins
        qualifier = item[at - 1]
        if qualifier == "BP":
            material = item[at] or None
        elif qualifier == "VP":
            supplier_material = item[at] or None
        elif qualifier == "PL":
            purchase_order_line = item[at] or None
    if material is None:
        raise source.error(
            lin, LIN_IDS[3], "has no BP (buyer's part number) product ID", codes.ELEMENT_MANDATORY_MISSING
        )
    return {
        "line_number": item[1],  # the BP pair follows it
        "quantity": shipped[2] if len(shipped) > 2 else "",
        "unit": shipped[3] if len(shipped) > 3 else "",
        "material": material,
        "supplier_material": supplier_material,
        "purchase_order_line": purchase_order_line,
        "batch": (segments[batch - 1][2] or None) if batch else None,
        "purchase_order": (element(segments[order - 1], 1) or None) if order else None,
    }


# -- writing -------------------------------------------------------------------------------------------------------


def set_856(notice: ShipmentNoticeReceived, *, created_at: datetime) -> OutboundSet:
    """The 856 for ``notice``; ``created_at`` is the notice's own date and time (BSN03/BSN04)."""
    hl = _Numbering()
    segments: list[Segment] = [
        (
            "BSN",
            "00",
            BSN02.fit(notice.asn_number),
            values.format_date(created_at),
            values.format_time(created_at),
            "0001",
        )
    ]
    shipment = hl.open(segments, "", SHIPMENT)
    if notice.carrier:
        segments.append(_td5(notice.carrier))
    if notice.tracking_number:
        segments.append(("REF", "CN", REF02.fit(notice.tracking_number)))
    segments.append(("DTM", "011", *written_datetime(notice.shipped_at, DTM)))
    if notice.expected_delivery:
        segments.append(("DTM", "017", *written_datetime(notice.expected_delivery, DTM)))
    segments.append(("N1", "SU", "", "92", N104.fit(notice.supplier_id)))
    segments.append(("N1", "ST", "", "92", N104.fit(notice.plant)))
    for order, packs in groupby(notice.packs, key=_common_order):
        parent = shipment
        if order is not None:
            parent = hl.open(segments, shipment, ORDER)
            segments.append(("PRF", PRF01.fit(order)))
        for pack in packs:
            _write_pack(segments, hl, parent, pack, order)
    segments.append(("CTT", CTT01.fit(str(hl.count))))
    return OutboundSet("856", segments)


class _Numbering:
    """HL01 numbers in order of appearance."""

    def __init__(self) -> None:
        self.count = 0

    def open(self, segments: list[Segment], parent: str, code: str) -> str:
        self.count += 1
        number = str(self.count)
        segments.append(("HL", number, parent, code, "0" if code == ITEM else "1"))
        return number


def _common_order(pack: ShipmentPack) -> str | None:
    """The purchase order all lines of ``pack`` share (an O level above it), else None."""
    orders = {line.purchase_order for line in pack.lines}
    return orders.pop() if len(orders) == 1 else None


def _td5(carrier: str) -> Segment:
    if _SCAC.match(carrier):
        return ("TD5", "B", "2", carrier)
    return ("TD5", "B", "", "", "", TD505.fit(carrier))


def _write_pack(segments: list[Segment], hl: _Numbering, parent: str, pack: ShipmentPack, order: str | None) -> None:
    number = hl.open(segments, parent, PACK)
    if (pack.gross_weight is None) != (pack.weight_unit is None):
        raise GenerationError("TD1 needs both gross_weight and weight_unit (TD107 and TD108 go together)")
    if pack.package_type or pack.gross_weight is not None:
        package = (TD101.fit(pack.package_type), "1") if pack.package_type else ("", "")
        weight: tuple[str, ...] = ()
        if pack.gross_weight is not None:
            weight = ("G", TD107.fit(values.format_decimal(pack.gross_weight)), TD108.fit(pack.weight_unit or ""))
        segments.append(("TD1", *package, "", "", "", *weight))
    if pack.sscc:
        segments.append(("MAN", "GM", MAN02.fit(pack.sscc)))
    for line in pack.lines:
        _write_item(segments, hl, number, line, order)


def _write_item(segments: list[Segment], hl: _Numbering, parent: str, line: ShipmentLine, order: str | None) -> None:
    hl.open(segments, parent, ITEM)
    ids = ["BP", LIN_IDS[3].fit(line.material)]
    if line.supplier_material:
        ids += ["VP", LIN_IDS[5].fit(line.supplier_material)]
    if line.purchase_order_line:
        ids += ["PL", LIN_IDS[7].fit(line.purchase_order_line)]
    segments.append(("LIN", LIN01.fit(str(line.line_number)), *ids))
    segments.append(("SN1", "", SN102.fit(values.format_decimal(line.quantity)), SN103.fit(line.unit)))
    if line.purchase_order and order is None:
        segments.append(("PRF", PRF01.fit(line.purchase_order)))
    if line.batch:
        segments.append(("REF", "LT", REF02.fit(line.batch)))
