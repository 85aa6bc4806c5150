"""LOIPRO01 (production order) <-> ``ProductionOrderReleased``.

=========================  =============================================================================
canonical                  LOIPRO01
=========================  =============================================================================
plant                      E1AFKOL-WERKS (else the first operation's WERKS)
order_number, order_type   E1AFKOL-AUFNR (leading zeros dropped), AUART
material, description      E1AFKOL-MATNR (MATNR_LONG when filled), KTEXT
quantity, unit             E1AFKOL-GAMNG, GMEIN (else BMENGE, BMEINS)
scheduled_start / _end     E1AFKOL-GSTRS + GSUZS / GLTRS + GLUZS (scheduled start and finish)
batch, sales_order         E1AFKOL-CHARG, KDAUF
operations                 every E1AFVOL (below E1AFFLL sequences): VORNR, LTXA1, ARBPL, STEUS, RUECK;
                           setup / machine / labor time from standard values VGW01..VGW03 in VGE01..VGE03
components                 every E1RESBL: POSNR, MATNR, POTX1, BDMNG, MEINS, LGORT, RGEKZ (backflush)
=========================  =============================================================================

Written back, the operations go into one standard sequence (E1AFFLL, PLNFL 000000) and the components below
the first operation, where SAP puts the reservations of an order without assigned operations.
"""

from __future__ import annotations

from bus.canonical import Component, Operation, ProductionOrderReleased
from transformers.decoding import Decoded
from transformers.idoc.maps.base import (
    Context,
    IdocMap,
    SegmentView,
    common_time_unit,
    first,
    material_fields,
    segment,
    validated,
)
from transformers.idoc.model import Idoc, Segment
from transformers.idoc.values import format_datetime, format_decimal, pad_zeros

_TIMES = [("VGW01", "VGE01"), ("VGW02", "VGE02"), ("VGW03", "VGE03")]


def decode(idoc: Idoc, context: Context) -> list[Decoded]:
    groups = idoc.by_name()
    header = first(idoc, "E1AFKOL", groups)
    operation_segments = groups.get("E1AFVOL", [])
    tz = context.timezone
    text = header.text
    order = validated(
        ProductionOrderReleased,
        {
            "plant": text("WERKS") or next((s.get("WERKS") for s in operation_segments if s.get("WERKS")), None),
            "order_number": header.alpha("AUFNR"),
            "order_type": text("AUART"),
            "material": header.material(),
            "description": header.get("KTEXT"),
            "quantity": header.decimal("GAMNG") if text("GAMNG") else header.decimal("BMENGE"),
            "unit": text("GMEIN") or text("BMEINS"),
            "scheduled_start": header.moment("GSTRS", "GSUZS", tz),
            "scheduled_end": header.moment("GLTRS", "GLUZS", tz),
            "batch": text("CHARG"),
            "sales_order": header.alpha("KDAUF"),
            "operations": [_operation(SegmentView(idoc, s)) for s in operation_segments],
            "components": [_component(SegmentView(idoc, s)) for s in groups.get("E1RESBL", [])],
        },
        docnum=idoc.docnum,
    )
    return [
        Decoded(
            payload=order,
            reference=f"IDoc {idoc.docnum}",
            correlation_id=order.order_number,
            occurred_at=idoc.control.created_at(tz),
        )
    ]


def _operation(view: SegmentView) -> dict[str, object]:
    (setup, machine, labor), unit = common_time_unit(view, _TIMES)
    text = view.text
    return {
        "number": text("VORNR"),
        "description": view.get("LTXA1"),
        "work_center": text("ARBPL"),
        "control_key": text("STEUS"),
        "setup_time": setup,
        "machine_time": machine,
        "labor_time": labor,
        "time_unit": unit,
        "confirmation_number": view.numc("RUECK"),
    }


def _component(view: SegmentView) -> dict[str, object]:
    text = view.text
    return {
        "item": text("POSNR"),
        "material": view.material(),
        "description": view.get("POTX1"),
        "quantity": view.decimal("BDMNG"),
        "unit": text("MEINS"),
        "storage_location": text("LGORT"),
        "backflush": view.flag("RGEKZ"),
    }


def encode(message: ProductionOrderReleased, context: Context) -> list[Segment]:
    start_date, start_time = format_datetime(message.scheduled_start, context.timezone)
    end_date, end_time = format_datetime(message.scheduled_end, context.timezone)
    operations = [_operation_segment(operation, message.plant) for operation in message.operations]
    if operations:
        operations[0].children.extend(_component_segment(c, message.plant) for c in message.components)
    header = segment(
        "E1AFKOL",
        {
            "AUFNR": pad_zeros(message.order_number, 12),
            "AUTYP": "10",
            "AUART": message.order_type,
            "WERKS": message.plant,
            **material_fields(message.material),
            "KTEXT": message.description,
            "GAMNG": format_decimal(message.quantity),
            "GMEIN": message.unit,
            "GSTRS": start_date,
            "GSUZS": start_time,
            "GLTRS": end_date,
            "GLUZS": end_time,
            "CHARG": message.batch,
            "KDAUF": pad_zeros(message.sales_order or "", 10),
        },
        [segment("E1AFFLL", {"PLNFL": "000000", "FLGAT": "0"}, operations)],
    )
    return [header]


def _operation_segment(operation: Operation, plant: str) -> Segment:
    unit = operation.time_unit
    times = (operation.setup_time, operation.machine_time, operation.labor_time)
    fields: dict[str, str | None] = {
        "VORNR": operation.number,
        "LTXA1": operation.description,
        "ARBPL": operation.work_center,
        "WERKS": plant,
        "STEUS": operation.control_key,
        "RUECK": pad_zeros(operation.confirmation_number or "", 10),
    }
    for (value_field, unit_field), value in zip(_TIMES, times, strict=True):
        if value is not None:
            fields[value_field] = format_decimal(value)
            fields[unit_field] = unit
    return segment("E1AFVOL", fields)


def _component_segment(component: Component, plant: str) -> Segment:
    return segment(
        "E1RESBL",
        {
            "POSNR": component.item,
            **material_fields(component.material),
            "WERKS": plant,
            "LGORT": component.storage_location,
            "BDMNG": format_decimal(component.quantity),
            "MEINS": component.unit,
            "RGEKZ": "X" if component.backflush else "",
            "POTX1": component.description,
        },
    )


PRODUCTION_ORDER = IdocMap(
    message_type="LOIPRO",
    idoc_type="LOIPRO01",
    reads=("LOIPRO01", "LOIPRO"),
    canonical=ProductionOrderReleased,
    decode=decode,
    encode=encode,
)
