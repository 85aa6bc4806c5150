"""DESADV (despatch advice, D.96A) <-> :class:`ShipmentNoticeReceived`.

Where each field lives (segment group numbers of D.96A):

* ``asn_number`` - BGM 1004 (document 351, despatch advice);
* ``shipped_at`` - DTM+11 (despatch date/time), else DTM+137 (document date); ``expected_delivery`` - DTM+132
  (arrival, estimated), else DTM+17 (delivery, estimated);
* ``tracking_number`` - SG1 RFF+CN (carrier's reference number);
* ``supplier_id`` - SG2 NAD+SU; ``plant`` - SG2 NAD+ST (ship to), else NAD+DP (delivery party);
* ``carrier`` - SG6 TDT C040 carrier identification, else carrier name;
* each pack - an SG10 CPS (consignment packing sequence) holding line items: package type from SG11 PAC C202,
  gross weight from SG11 MEA (AAB unit gross weight, AAD total gross weight or G gross weight), SSCC from
  SG13 PCI / SG14 GIN+BJ. CPS levels without line items (the shipment, a pallet of cartons) carry no pack;
* each line - an SG15 LIN: material from item type IN (buyer's item number) in LIN or PIA, else the LIN item
  number; supplier material from type SA; batch from type NB, else GIN+BX; quantity from QTY+12 (despatch
  quantity, unit 6411, pieces when absent); purchase order and its line from SG16 RFF+ON.

Generated messages use that layout, with a shipment-level CPS+1 and one CPS per pack below it, DTM+137 set to
the despatch date and CNT+2 counting the line items.
"""

from __future__ import annotations

from bus.canonical import ShipmentLine, ShipmentNoticeReceived, ShipmentPack
from transformers.edifact import d96a
from transformers.edifact.codes import SyntaxErrorCode
from transformers.edifact.errors import EdifactMappingError
from transformers.edifact.headers import MessageIdentifier
from transformers.edifact.mapping import (
    DEFAULT_UNIT,
    Document,
    MessageMap,
    by_qualifier,
    dtm,
    first_of,
    fit,
    fit_number,
    triggers,
)
from transformers.edifact.segment import Segment
from transformers.edifact.structure import GroupInstance
from transformers.edifact.writer import SegmentData

IDENTIFIER = MessageIdentifier("DESADV", "D", "96A", "UN")
_WEIGHTS = ("AAB", "AAD", "G")
_SSCC_LENGTH = 18
_GS1_SSCC_PREFIX = "00"
"""GS1 application identifier some partners leave in front of the 18 SSCC digits."""


def read(doc: Document) -> ShipmentNoticeReceived:
    tree = doc.tree
    bgm = doc.beginning()
    dates = by_qualifier(tree.all("DTM"))
    shipped = first_of(dates, "11", "137")
    if shipped is None:
        raise doc.missing("despatch date (DTM+11, or DTM+137)", "DTM", bgm)
    expected = first_of(dates, "132", "17")
    parties = by_qualifier(triggers(tree.instances("SG2")))
    supplier = doc.party(parties, "supplier", "SU")
    plant = doc.party(parties, "receiving plant", "ST", "DP")
    packs = [_pack(doc, cps) for cps in tree.instances("SG10") if cps.instances("SG15")]
    if not packs:
        raise doc.missing("line item (LIN within a CPS)", "LIN", bgm)
    return doc.build(
        ShipmentNoticeReceived,
        bgm,
        plant=doc.text(plant, 2, 1, "party identification (3039)"),
        asn_number=doc.text(bgm, 2, None, "document number (1004)"),
        supplier_id=doc.text(supplier, 2, 1, "party identification (3039)"),
        shipped_at=doc.when(shipped),
        expected_delivery=doc.when(expected) if expected is not None else None,
        carrier=_carrier(tree),
        tracking_number=_reference(tree.instances("SG1"), "CN"),
        packs=packs,
    )


def _carrier(tree: GroupInstance) -> str | None:
    for transport in tree.instances("SG6"):
        identification, _list, _agency, name = transport.trigger.components(5, 4)
        if identification or name:
            return identification or name
    return None


def _reference(groups: list[GroupInstance], qualifier: str) -> str | None:
    rff = by_qualifier(triggers(groups)).get(qualifier)
    return (rff.value(1, 2) or None) if rff is not None else None


def _pack(doc: Document, cps: GroupInstance) -> ShipmentPack:
    package = next(iter(cps.instances("SG11")), None)
    package_type = weight = unit = None
    if package is not None:
        pac = package.trigger
        package_type = pac.value(3, 1) or pac.value(3, 4) or None
        for mea in package.all("MEA"):
            if mea.value(2, 1) in _WEIGHTS:
                weight = doc.decimal(mea, 3, 2, "gross weight")
                unit = mea.value(3, 1) or None
                break
    lines = [_line(doc, group) for group in cps.instances("SG15")]
    return doc.build(
        ShipmentPack,
        cps.trigger,
        sscc=_sscc(doc, cps),
        package_type=package_type,
        gross_weight=weight,
        weight_unit=unit,
        lines=lines,
    )


def _sscc(doc: Document, cps: GroupInstance) -> str | None:
    """The package's SSCC (GIN+BJ); one package per CPS, so more than one is an error."""
    found: list[tuple[str, Segment]] = []
    for package in cps.instances("SG11"):
        for marking in package.instances("SG13"):
            for goods in marking.instances("SG14"):
                gin = goods.trigger
                if gin.value(1) != "BJ":
                    continue
                for element in range(2, min(7, len(gin.elements))):
                    first, last = gin.components(element, 2)
                    if last:
                        raise doc.error(
                            gin,
                            f"SSCC range {first}-{last} in one CPS: send one CPS per package",
                            SyntaxErrorCode.VALUE_NOT_SUPPORTED,
                            element,
                            2,
                        )
                    if first:
                        found.append((first, gin))
    if not found:
        return None
    if len(found) > 1:
        raise doc.error(
            found[1][1],
            f"CPS {cps.trigger.value(1)} carries {len(found)} SSCCs: send one CPS per package",
            SyntaxErrorCode.VALUE_NOT_SUPPORTED,
        )
    sscc, gin = found[0]
    if len(sscc) == _SSCC_LENGTH + len(_GS1_SSCC_PREFIX) and sscc.startswith(_GS1_SSCC_PREFIX):
        sscc = sscc[len(_GS1_SSCC_PREFIX) :]
    if not (sscc.isascii() and sscc.isdigit() and len(sscc) == _SSCC_LENGTH):
        raise doc.error(gin, f"SSCC {sscc!r} is not 18 digits", SyntaxErrorCode.INVALID_VALUE, 2, 1)
    return sscc


def _line(doc: Document, group: GroupInstance) -> ShipmentLine:
    lin = group.trigger
    material, numbers = doc.item(group)
    quantity = by_qualifier(group.all("QTY")).get("12")
    if quantity is None:
        raise doc.missing(f"despatch quantity (QTY+12) of line {lin.value(1)}", "QTY", lin)
    order = by_qualifier(triggers(group.instances("SG16"))).get("ON")
    return doc.build(
        ShipmentLine,
        lin,
        line_number=doc.integer(lin, 1, None, "line item number (1082)"),
        material=material,
        supplier_material=numbers.get("SA"),
        quantity=doc.required_decimal(quantity, 1, 2, "quantity (6060)"),
        unit=quantity.value(1, 3) or DEFAULT_UNIT,
        batch=numbers.get("NB") or _batch(group),
        purchase_order=(order.value(1, 2) or None) if order is not None else None,
        purchase_order_line=(order.value(1, 3) or None) if order is not None else None,
    )


def _batch(group: GroupInstance) -> str | None:
    for gin in group.all("GIN"):
        if gin.value(1) == "BX" and gin.value(2):
            return gin.value(2)
    return None


def write(notice: ShipmentNoticeReceived) -> list[SegmentData]:
    """The body of a DESADV for ``notice`` (its document date, DTM+137, is the despatch date)."""
    body: list[SegmentData] = [
        ("BGM", "351", fit(notice.asn_number, 35, "ASN number"), "9"),
        dtm("137", notice.shipped_at),
        dtm("11", notice.shipped_at),
    ]
    if notice.expected_delivery is not None:
        body.append(dtm("132", notice.expected_delivery))
    if notice.tracking_number:
        body.append(("RFF", ("CN", fit(notice.tracking_number, 35, "tracking number"))))
    body.append(("NAD", "SU", (fit(notice.supplier_id, 35, "supplier id"), None, "92")))
    body.append(("NAD", "ST", (fit(notice.plant, 35, "plant"), None, "92")))
    if notice.carrier:
        body.append(("TDT", "20", None, None, None, (fit(notice.carrier, 17, "carrier"),)))
    body.append(("CPS", "1"))
    lines = 0
    for number, pack in enumerate(notice.packs, start=2):
        body.append(("CPS", str(number), "1"))
        body.extend(_pack_segments(pack))
        for line in pack.lines:
            body.extend(_line_segments(line))
            lines += 1
    body.append(("CNT", ("2", str(lines))))
    return body


def _pack_segments(pack: ShipmentPack) -> list[SegmentData]:
    package_type = fit(pack.package_type, 17, "package type") if pack.package_type else None
    segments: list[SegmentData] = [("PAC", "1", None, (package_type,))]
    if pack.gross_weight is not None:
        if not pack.weight_unit:
            raise EdifactMappingError(
                "a pack's gross weight needs its unit (MEA 6411 is mandatory)", SyntaxErrorCode.MISSING
            )
        weight = fit_number(pack.gross_weight, 18, "gross weight")
        segments.append(("MEA", "PD", ("AAB",), (fit(pack.weight_unit, 3, "weight unit"), weight)))
    if pack.sscc:
        segments.append(("PCI", "30"))
        segments.append(("GIN", "BJ", pack.sscc))
    return segments


def _line_segments(line: ShipmentLine) -> list[SegmentData]:
    segments: list[SegmentData] = [
        ("LIN", fit(str(line.line_number), 6, "line number"), None, (fit(line.material, 35, "material"), "IN")),
    ]
    additional = []
    if line.supplier_material:
        additional.append((fit(line.supplier_material, 35, "supplier material"), "SA"))
    if line.batch:
        additional.append((fit(line.batch, 35, "batch"), "NB"))
    if additional:
        segments.append(("PIA", "1", *additional))
    quantity = fit_number(line.quantity, 15, "quantity")
    segments.append(("QTY", ("12", quantity, fit(line.unit, 3, "unit"))))
    if line.purchase_order or line.purchase_order_line:
        order = fit(line.purchase_order, 35, "purchase order") if line.purchase_order else None
        order_line = fit(line.purchase_order_line, 6, "purchase order line") if line.purchase_order_line else None
        segments.append(("RFF", ("ON", order, order_line)))
    return segments


DESADV = MessageMap(
    identifier=IDENTIFIER,
    structure=d96a.DESADV,
    model=ShipmentNoticeReceived,
    read=read,
    write=write,
    business_key=lambda notice: notice.asn_number,
    occurred_at=lambda notice: notice.shipped_at,
)
