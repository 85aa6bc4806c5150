"""850 Purchase Order (004010) <-> :class:`PurchaseOrderIssued`.

Heading: ``BEG`` (BEG03 the order number, BEG05 its date), ``CUR*BY`` currency, ``DTM*097`` when the order was
issued, ``N1*BY`` buyer (N103 ``91``, the supplier's id for the buyer), ``N1*SE`` seller (``N1*SU`` when no SE) and
``N1*ST`` the receiving plant. Detail: one ``PO1`` per line (line number, quantity, unit, unit price per each,
product IDs ``BP`` material and ``VP`` supplier material), ``PID*F`` description (split over several PID segments
beyond 80 characters) and ``DTM*002`` requested delivery date. Summary: ``CTT01`` the number of PO1 segments.
"""

from __future__ import annotations

from collections.abc import Sequence

from bus.canonical import PurchaseOrderIssued
from bus.canonical.purchasing import PurchaseOrderLine
from transformers.x12 import codes, values
from transformers.x12.errors import TransactionSetError
from transformers.x12.mapping import (
    CTT01,
    DTM,
    N104,
    Elem,
    QualifiedId,
    Schema,
    SetSource,
    element,
    first_of_each,
    written_datetime,
)
from transformers.x12.writer import OutboundSet, Segment

BEG03 = Elem("BEG", 3, "324", "purchase order number", 1, 22)
BEG05 = Elem("BEG", 5, "373", "date", 8, 8)
CUR02 = Elem("CUR", 2, "100", "currency code", 3, 3)
PO101 = Elem("PO1", 1, "350", "assigned identification", 1, 20)
PO102 = Elem("PO1", 2, "330", "quantity ordered", 1, 15)
PO103 = Elem("PO1", 3, "355", "unit of measurement code", 2, 2)
PO104 = Elem("PO1", 4, "212", "unit price", 1, 17)
PO1_IDS = {i: Elem("PO1", i, "234", "product/service ID", 1, 48) for i in range(7, 26, 2)}
PID05 = Elem("PID", 5, "352", "description", 1, 80)

_PO1_FIELDS = {"BP": "material", "VP": "supplier_material"}
_PARTIES = (("buyer_id", "BY", ("BY",)), ("supplier_id", "SE", ("SE", "SU")), ("plant", "ST", ("ST",)))
"""Canonical field, its schema slot, and the N101 entity codes that carry it, preferred first."""


def parse_850(segments: Sequence[list[str]], *, notes: list[TransactionSetError] | None = None) -> PurchaseOrderIssued:
    """Map a received 850 (``segments[0]`` is ST) to a purchase order.

    Raises :class:`MappingError` naming the segment and element at fault. With ``notes`` given, an invalid
    optional date is noted there (AK5 ``E``) and left out instead.
    """
    return SetSource.map(segments, notes, _read, PurchaseOrderIssued)


def _read(source: SetSource) -> dict[str, object]:
    segments = source.segments
    source.expect(2, "BEG", "beginning segment for purchase order")
    order: dict[str, object] = {"po_number": element(segments[1], 3), "order_date": source.read_date(2, BEG05)}
    lines: list[dict[str, object]] = []
    line: dict[str, object] = {}
    where: dict[str, int] = {}
    heading_end = ctt = 0
    for position, segment in enumerate(segments[2:], start=3):
        tag = segment[0]
        if tag == "CTT":
            ctt = position
            break
        if tag == "PO1":
            heading_end = heading_end or position - 1
            line, where = _line(source, position, len(lines))
            lines.append(line)
        elif lines:
            _line_detail(source, position, line, where)
    if not lines:
        raise source.missing(len(segments), "PO1", "PO1 (line item)")
    if ctt and source.count(ctt, CTT01) != len(lines):
        raise source.error(ctt, CTT01, f"is not the number of PO1 segments ({len(lines)})", codes.ELEMENT_INVALID_CODE)
    _heading(source, heading_end, order)
    order["lines"] = lines
    return order


_ORDER: Schema = {
    "po_number": ("BEG", BEG03),
    "buyer_id": ("BY", N104),
    "supplier_id": ("SE", N104),
    "plant": ("ST", N104),
    "currency": ("CUR", CUR02),
}
_LINE: Schema = {
    "line_number": ("PO1", PO101),
    "quantity": ("PO1", PO102),
    "unit": ("PO1", PO103),
    "unit_price": ("PO1", PO104),
    **{field: ("PO1", QualifiedId(qualifier, PO1_IDS, 6)) for qualifier, field in _PO1_FIELDS.items()},
    "description": ("PID", PID05),
}


def _heading(source: SetSource, end: int, order: dict[str, object]) -> None:
    """Parties, currency and issue time from the heading (segments 3 to ``end``)."""
    segments = source.segments
    found = first_of_each(segments, 3, end)
    where = {"BEG": 2}
    for name, slot, entities in _PARTIES:
        position = next((found[("N1", e)] for e in entities if ("N1", e) in found), 0)
        if not position:
            raise source.missing(2, "N1", f"N1*{entities[0]} (the {name.replace('_', ' ')}) in the heading")
        where[slot] = position
        order[name] = element(segments[position - 1], 4)
    currency = min((p for (tag, _), p in found.items() if tag == "CUR"), default=0)
    if currency:
        where["CUR"] = currency
        order["currency"] = element(segments[currency - 1], 2) or None
    issued = found.get(("DTM", "097"))
    if issued:
        order["issued_at"] = source.read_datetime(issued, DTM, optional=True)
    source.record((), _ORDER, where)


def _line(source: SetSource, position: int, index: int) -> tuple[dict[str, object], dict[str, int]]:
    segment = source.segments[position - 1]
    line: dict[str, object] = {
        "line_number": element(segment, 1),
        "quantity": element(segment, 2),
        "unit": element(segment, 3),
        "unit_price": element(segment, 4) or None,
    }
    for at in range(6, min(len(segment) - 1, 25), 2):
        name = _PO1_FIELDS.get(segment[at])
        if name is not None and name not in line:
            line[name] = segment[at + 1] or None
    if "material" not in line:
        raise source.error(
            position, PO1_IDS[7], "has no BP (buyer's part number) product ID", codes.ELEMENT_MANDATORY_MISSING
        )
    where = {"PO1": position}
    source.record(("lines", index), _LINE, where)
    return line, where


def _line_detail(source: SetSource, position: int, line: dict[str, object], where: dict[str, int]) -> None:
    """A PID or DTM of the line loop; other segments of the loop carry nothing the canonical order holds."""
    segment = source.segments[position - 1]
    tag, qualifier = segment[0], element(segment, 1)
    if tag == "PID" and qualifier == "F":
        where.setdefault("PID", position)
        line["description"] = str(line.get("description", "")) + element(segment, 5)
    elif tag == "DTM" and qualifier == "002" and "delivery_date" not in line:
        line["delivery_date"] = source.read_date(position, DTM.date, optional=True)


def set_850(order: PurchaseOrderIssued) -> OutboundSet:
    """The 850 for ``order``."""
    segments: list[Segment] = [
        ("BEG", "00", "SA", BEG03.fit(order.po_number), "", BEG05.fit(values.format_date(order.order_date)))
    ]
    if order.currency:
        segments.append(("CUR", "BY", CUR02.fit(order.currency)))
    if order.issued_at:
        segments.append(("DTM", "097", *written_datetime(order.issued_at, DTM)))
    segments.append(("N1", "BY", "", "91", N104.fit(order.buyer_id)))
    segments.append(("N1", "SE", "", "92", N104.fit(order.supplier_id)))
    segments.append(("N1", "ST", "", "92", N104.fit(order.plant)))
    for line in order.lines:
        segments.extend(_write_line(line))
    segments.append(("CTT", CTT01.fit(str(len(order.lines)))))
    return OutboundSet("850", segments)


def _write_line(line: PurchaseOrderLine) -> list[Segment]:
    price = ("", "") if line.unit_price is None else (PO104.fit(values.format_decimal(line.unit_price)), "PE")
    ids = ["BP", PO1_IDS[7].fit(line.material)]
    if line.supplier_material:
        ids += ["VP", PO1_IDS[9].fit(line.supplier_material)]
    quantity = PO102.fit(values.format_decimal(line.quantity))
    segments: list[Segment] = [("PO1", PO101.fit(str(line.line_number)), quantity, PO103.fit(line.unit), *price, *ids)]
    description = line.description
    for start in range(0, len(description), PID05.max_length):
        segments.append(("PID", "F", "", "", "", description[start : start + PID05.max_length]))
    if line.delivery_date:
        segments.append(("DTM", "002", values.format_date(line.delivery_date)))
    return segments
