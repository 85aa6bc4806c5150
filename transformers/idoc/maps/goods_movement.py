"""WMMBXY (basic type WMMBID02) and MBGMCR (MBGMCR03) <-> ``GoodsMovementPosted``.

Both IDoc types carry a header and items; they differ in segment and field names:

==================  =====================  ===========================  ======================================
canonical           WMMBXY                 MBGMCR                       note
==================  =====================  ===========================  ======================================
document_number     E1MBXYH-XBLNR          E1BP2017_GM_HEAD_01          the sending system's document number
                                           -REF_DOC_NO
posting_date        BUDAT                  PSTNG_DATE                   also written as document date
document_year       (year of BUDAT)        (year of PSTNG_DATE)         SAP's material document year
reference           BKTXT                  HEADER_TXT                   header text
movement_type       E1MBXYI-BWART          E1BP2017_GM_ITEM_CREATE      one per message: items must agree
                                           -MOVE_TYPE
plant               WERKS                  PLANT                        one per message: items must agree
items               MATNR, LGORT, CHARG,   MATERIAL, STGE_LOC, BATCH,   line is the item's position (1, 2...)
                    ERFMG, ERFME, AUFNR,   ENTRY_QNT, ENTRY_UOM,
                    EBELN, GRUND           ORDERID, PO_NUMBER,
                                           MOVE_REAS
==================  =====================  ===========================  ======================================

Written, the transaction (E1MBXYH-TCODE, E1BP2017_GM_CODE-GM_CODE) follows from the movement type: receipts
for a purchase order (GM code 01), for a production order (02), other receipts (05), issues (03), transfer
postings (04).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bus.canonical import GoodsMovementItem, GoodsMovementPosted
from transformers.decoding import Decoded
from transformers.idoc.errors import decode_failed
from transformers.idoc.maps.base import Context, IdocMap, SegmentView, first, material_fields, segment, validated
from transformers.idoc.model import Idoc, Segment
from transformers.idoc.values import format_date, format_decimal, pad_zeros

_TRANSACTIONS = {"01": "MB01", "02": "MB31", "03": "MB1A", "04": "MB1B", "05": "MB1C"}


@dataclass(frozen=True)
class _Names:
    """Segment and field names of one goods movement IDoc type."""

    header: str
    posting_date: str
    document_date: str
    document: str
    text: str
    item: str
    material: str
    material_long: str
    plant: str
    storage_location: str
    batch: str
    movement_type: str
    quantity: str
    unit: str
    order: str
    purchase_order: str
    reason: str


WMMBXY_NAMES = _Names(
    header="E1MBXYH",
    posting_date="BUDAT",
    document_date="BLDAT",
    document="XBLNR",
    text="BKTXT",
    item="E1MBXYI",
    material="MATNR",
    material_long="MATNR_LONG",
    plant="WERKS",
    storage_location="LGORT",
    batch="CHARG",
    movement_type="BWART",
    quantity="ERFMG",
    unit="ERFME",
    order="AUFNR",
    purchase_order="EBELN",
    reason="GRUND",
)

MBGMCR_NAMES = _Names(
    header="E1BP2017_GM_HEAD_01",
    posting_date="PSTNG_DATE",
    document_date="DOC_DATE",
    document="REF_DOC_NO",
    text="HEADER_TXT",
    item="E1BP2017_GM_ITEM_CREATE",
    material="MATERIAL",
    material_long="MATERIAL_LONG",
    plant="PLANT",
    storage_location="STGE_LOC",
    batch="BATCH",
    movement_type="MOVE_TYPE",
    quantity="ENTRY_QNT",
    unit="ENTRY_UOM",
    order="ORDERID",
    purchase_order="PO_NUMBER",
    reason="MOVE_REAS",
)


def _decoder(names: _Names) -> Callable[[Idoc, Context], list[Decoded]]:
    def decode(idoc: Idoc, context: Context) -> list[Decoded]:
        header = first(idoc, names.header)
        items = [SegmentView(idoc, s) for s in idoc.iter(names.item)]
        if not items:
            raise decode_failed(f"the IDoc has no {names.item} segment: a movement needs items", docnum=idoc.docnum)
        posting_date = header.date(names.posting_date)
        movement = _one(idoc, items, names.movement_type, "movement type")
        message = validated(
            GoodsMovementPosted,
            {
                "plant": _one(idoc, items, names.plant, "plant"),
                "document_number": header.required(names.document),
                "document_year": posting_date.year if posting_date else None,
                "movement_type": movement,
                "posting_date": posting_date,
                "reference": header.text(names.text),
                "items": [_item(names, view, line) for line, view in enumerate(items, start=1)],
            },
            docnum=idoc.docnum,
        )
        orders = {item.order_number for item in message.items}
        return [
            Decoded(
                payload=message,
                reference=f"IDoc {idoc.docnum}",
                correlation_id=orders.pop() if len(orders) == 1 and None not in orders else message.document_number,
                occurred_at=idoc.control.created_at(context.timezone),
            )
        ]

    return decode


def _one(idoc: Idoc, items: list[SegmentView], field: str, label: str) -> str | None:
    """The value all items share in ``field``; a goods movement message carries one."""
    found = {view.text(field) for view in items} - {None}
    if len(found) > 1:
        raise decode_failed(
            f"the items have different {label}s ({', '.join(sorted(found))}) in {field}, but a canonical goods "
            f"movement carries one: split the movement into one IDoc per {label}",
            docnum=idoc.docnum,
        )
    return found.pop() if found else None


def _item(names: _Names, view: SegmentView, line: int) -> dict[str, object]:
    return {
        "line": line,
        "material": view.material(names.material, names.material_long),
        "quantity": view.decimal(names.quantity),
        "unit": view.text(names.unit),
        "storage_location": view.text(names.storage_location),
        "batch": view.text(names.batch),
        "order_number": view.alpha(names.order),
        "purchase_order": view.alpha(names.purchase_order),
        "reason_code": _reason(view, names.reason),
    }


def _reason(view: SegmentView, field: str) -> str | None:
    """The reason code as sent (``0001``); ``0000`` means none."""
    return view.text(field) if view.numc(field) else None


def gm_code(message: GoodsMovementPosted) -> str:
    """SAP's goods movement code (BAPI GM_CODE) for the message's movement type."""
    kind = message.movement_type[:1]
    if kind == "1":
        if any(item.purchase_order for item in message.items):
            return "01"
        return "02" if any(item.order_number for item in message.items) else "05"
    if kind in ("3", "4"):
        return "04"
    if kind == "5":
        return "05"
    return "03"


def _header_fields(names: _Names, message: GoodsMovementPosted) -> dict[str, str | None]:
    posting = format_date(message.posting_date)
    return {
        names.posting_date: posting,
        names.document_date: posting,
        names.document: message.document_number,
        names.text: message.reference,
    }


def _item_segment(names: _Names, message: GoodsMovementPosted, item: GoodsMovementItem) -> Segment:
    return segment(
        names.item,
        {
            **material_fields(item.material, names.material, names.material_long),
            names.plant: message.plant,
            names.storage_location: item.storage_location,
            names.batch: item.batch,
            names.movement_type: message.movement_type,
            names.quantity: format_decimal(item.quantity),
            names.unit: item.unit,
            names.order: pad_zeros(item.order_number or "", 12),
            names.purchase_order: pad_zeros(item.purchase_order or "", 10),
            names.reason: item.reason_code,
        },
    )


def encode_wmmbxy(message: GoodsMovementPosted, context: Context) -> list[Segment]:
    names = WMMBXY_NAMES
    items = [_item_segment(names, message, item) for item in message.items]
    header = {**_header_fields(names, message), "TCODE": _TRANSACTIONS[gm_code(message)]}
    return [segment(names.header, header, items)]


def encode_mbgmcr(message: GoodsMovementPosted, context: Context) -> list[Segment]:
    names = MBGMCR_NAMES
    children = [
        segment(names.header, _header_fields(names, message)),
        segment("E1BP2017_GM_CODE", {"GM_CODE": gm_code(message)}),
        *(_item_segment(names, message, item) for item in message.items),
    ]
    return [segment("E1MBGMCR", {}, children)]


WMMBXY = IdocMap(
    message_type="WMMBXY",
    idoc_type="WMMBID02",
    reads=("WMMBID01", "WMMBID02", "WMMBXY"),
    canonical=GoodsMovementPosted,
    decode=_decoder(WMMBXY_NAMES),
    encode=encode_wmmbxy,
)

MBGMCR = IdocMap(
    message_type="MBGMCR",
    idoc_type="MBGMCR03",
    reads=("MBGMCR01", "MBGMCR02", "MBGMCR03", "MBGMCR04", "MBGMCR"),
    canonical=GoodsMovementPosted,
    decode=_decoder(MBGMCR_NAMES),
    encode=encode_mbgmcr,
)
