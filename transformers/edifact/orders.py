"""ORDERS (purchase order, D.96A) <-> :class:`PurchaseOrderIssued`.

Where each field lives (segment group numbers of D.96A):

* ``po_number`` - BGM 1004 (document 220, order);
* ``order_date`` - DTM+4 (order date), else the date of DTM+137; ``issued_at`` - DTM+137 (document date/time)
  when it carries a time;
* ``buyer_id`` - SG2 NAD+BY; ``supplier_id`` - SG2 NAD+SU; ``plant`` - SG2 NAD+DP (delivery party), else NAD+ST;
* ``currency`` - SG7 CUX 6345 (reference currency);
* each line - an SG25 LIN: material from item type IN (buyer's item number) in LIN or PIA, else the LIN item
  number; supplier material from type SA; description from the IMD texts (7008, joined); quantity from QTY+21
  (ordered quantity, unit 6411, pieces when absent); delivery date from DTM+2 (requested); unit price from SG28
  PRI+AAA (calculation net), else PRI+AAB, divided by its unit price basis (5284) when one is given.
"""

from __future__ import annotations

from decimal import Decimal

from bus.canonical import PurchaseOrderIssued, PurchaseOrderLine
from transformers.edifact import d96a
from transformers.edifact.headers import MessageIdentifier
from transformers.edifact.mapping import (
    DEFAULT_UNIT,
    Document,
    MessageMap,
    by_qualifier,
    chunks,
    dtm,
    first_of,
    fit,
    fit_number,
    triggers,
)
from transformers.edifact.structure import GroupInstance
from transformers.edifact.writer import SegmentData

IDENTIFIER = MessageIdentifier("ORDERS", "D", "96A", "UN")
_DATE_ONLY = ("101", "102")
_DESCRIPTION_PART = 35
"""An IMD carries a description in two 7008 components of up to 35 characters each."""


def read(doc: Document) -> PurchaseOrderIssued:
    tree = doc.tree
    bgm = doc.beginning()
    dates = by_qualifier(tree.all("DTM"))
    ordered = first_of(dates, "4", "137")
    if ordered is None:
        raise doc.missing("order date (DTM+4, or DTM+137)", "DTM", bgm)
    issued = dates.get("137")
    parties = by_qualifier(triggers(tree.instances("SG2")))
    buyer = doc.party(parties, "buyer", "BY")
    supplier = doc.party(parties, "supplier", "SU")
    plant = doc.party(parties, "delivery party", "DP", "ST")
    lines = [_line(doc, group) for group in tree.instances("SG25")]
    if not lines:
        raise doc.missing("line item (LIN)", "LIN", bgm)
    currency = next((cux.trigger.value(1, 2) for cux in tree.instances("SG7") if cux.trigger.value(1, 2)), None)
    return doc.build(
        PurchaseOrderIssued,
        bgm,
        plant=doc.text(plant, 2, 1, "party identification (3039)"),
        po_number=doc.text(bgm, 2, None, "document number (1004)"),
        supplier_id=doc.text(supplier, 2, 1, "party identification (3039)"),
        buyer_id=doc.text(buyer, 2, 1, "party identification (3039)"),
        order_date=doc.when(ordered).date(),
        currency=currency,
        issued_at=doc.when(issued) if issued is not None and issued.value(1, 3) not in _DATE_ONLY else None,
        lines=lines,
    )


def _line(doc: Document, group: GroupInstance) -> PurchaseOrderLine:
    lin = group.trigger
    material, numbers = doc.item(group)
    quantity = by_qualifier(group.all("QTY")).get("21")
    if quantity is None:
        raise doc.missing(f"ordered quantity (QTY+21) of line {lin.value(1)}", "QTY", lin)
    delivery = by_qualifier(group.all("DTM")).get("2")
    return doc.build(
        PurchaseOrderLine,
        lin,
        line_number=doc.integer(lin, 1, None, "line item number (1082)"),
        material=material,
        supplier_material=numbers.get("SA"),
        description="".join(imd.value(3, 4) + imd.value(3, 5) for imd in group.all("IMD")),
        quantity=doc.required_decimal(quantity, 1, 2, "quantity (6060)"),
        unit=quantity.value(1, 3) or DEFAULT_UNIT,
        unit_price=_unit_price(doc, group),
        delivery_date=doc.when(delivery).date() if delivery is not None else None,
    )


def _unit_price(doc: Document, group: GroupInstance) -> Decimal | None:
    pri = first_of(by_qualifier(triggers(group.instances("SG28"))), "AAA", "AAB")
    if pri is None:
        return None
    price = doc.decimal(pri, 1, 2, "price (5118)")
    basis = doc.decimal(pri, 1, 5, "unit price basis (5284)")
    if price is None or basis is None or basis in (0, 1):
        return price
    return price / basis


def write(order: PurchaseOrderIssued) -> list[SegmentData]:
    """The body of an ORDERS message for ``order``."""
    body: list[SegmentData] = [
        ("BGM", "220", fit(order.po_number, 35, "PO number"), "9"),
        dtm("4", order.order_date),
    ]
    if order.issued_at is not None:
        body.append(dtm("137", order.issued_at))
    body.append(("NAD", "BY", (fit(order.buyer_id, 35, "buyer id"), None, "91")))
    body.append(("NAD", "SU", (fit(order.supplier_id, 35, "supplier id"), None, "92")))
    body.append(("NAD", "DP", (fit(order.plant, 35, "plant"), None, "92")))
    if order.currency:
        body.append(("CUX", ("2", order.currency, "9")))
    for line in order.lines:
        body.extend(_line_segments(line))
    body.append(("UNS", "S"))
    body.append(("CNT", ("2", str(len(order.lines)))))
    return body


def _line_segments(line: PurchaseOrderLine) -> list[SegmentData]:
    segments: list[SegmentData] = [
        ("LIN", fit(str(line.line_number), 6, "line number"), None, (fit(line.material, 35, "material"), "IN")),
    ]
    if line.supplier_material:
        segments.append(("PIA", "1", (fit(line.supplier_material, 35, "supplier material"), "SA")))
    parts = chunks(line.description, _DESCRIPTION_PART)
    for start in range(0, len(parts), 2):
        segments.append(("IMD", "F", None, (None, None, None, *parts[start : start + 2])))
    segments.append(("QTY", ("21", fit_number(line.quantity, 15, "quantity"), fit(line.unit, 3, "unit"))))
    if line.delivery_date is not None:
        segments.append(dtm("2", line.delivery_date))
    if line.unit_price is not None:
        segments.append(("PRI", ("AAA", fit_number(line.unit_price, 15, "unit price"))))
    return segments


ORDERS = MessageMap(
    identifier=IDENTIFIER,
    structure=d96a.ORDERS,
    model=PurchaseOrderIssued,
    read=read,
    write=write,
    business_key=lambda order: order.po_number,
    occurred_at=lambda order: order.issued_at,
)
