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

from datetime import tzinfo

from bus.canonical import Component, Operation, ProductionOrderReleased
from transformers.decoding import Decoded
from transformers.idoc.maps.base import (
    Context,
    IdocMap,
    common_time_unit,
    first_segment,
    material_fields,
    read_segments,
    segment,
    validated,
)
from transformers.idoc.model import Idoc, Segment
from transformers.idoc.values import (
    flag,
    format_datetime,
    format_decimal,
    numc,
    pad_zeros,
    parse_datetime,
    parse_decimal,
    strip_zeros,
)

_SETUP, _MACHINE, _LABOR = _TIME_VALUES = ("VGW01", "VGW02", "VGW03")
"""Standard values: setup, machine and labor time, each in its unit (VGE01..VGE03)."""
_TIME_UNITS = ("VGE01", "VGE02", "VGE03")
_TIMES = list(zip(_TIME_VALUES, _TIME_UNITS, strict=True))

# The fields each part is read from, in the order the readers unpack them.
_HEADER = tuple(
    "WERKS AUFNR AUART MATNR MATNR_LONG KTEXT GAMNG GMEIN BMENGE BMEINS GSTRS GSUZS GLTRS GLUZS CHARG KDAUF".split()
)
_OPERATION = ("VORNR", "LTXA1", "ARBPL", "STEUS", "RUECK", *_TIME_VALUES, *_TIME_UNITS)
_COMPONENT = tuple("POSNR MATNR MATNR_LONG POTX1 BDMNG MEINS LGORT RGEKZ".split())
_PLANT = ("WERKS",)


def decode(idoc: Idoc, context: Context) -> list[Decoded]:
    groups = idoc.by_name()
    operations = groups.get("E1AFVOL", [])
    (order,) = read_segments(idoc, [first_segment(idoc, "E1AFKOL", groups)], _header, context.timezone)
    order["plant"] = order["plant"] or _first_plant(operations)
    order["operations"] = read_segments(idoc, operations, _operation)
    order["components"] = read_segments(idoc, groups.get("E1RESBL", []), _component)
    message = validated(ProductionOrderReleased, order, docnum=idoc.docnum)
    return [
        Decoded(
            payload=message,
            reference=f"IDoc {idoc.docnum}",
            correlation_id=message.order_number,
            occurred_at=idoc.control.created_at(context.timezone),
        )
    ]


def _header(header: Segment, tz: tzinfo) -> dict[str, object]:
    (
        plant,
        order,
        order_type,
        material,
        long_material,
        description,
        quantity,
        unit,
        base_quantity,
        base_unit,
        start_date,
        start_time,
        end_date,
        end_time,
        batch,
        sales_order,
    ) = header.pick(_HEADER)
    return {
        "plant": plant or None,
        "order_number": strip_zeros(order) or None,
        "order_type": order_type or None,
        "material": long_material or strip_zeros(material) or None,
        "description": description,
        "quantity": parse_decimal(quantity, "GAMNG") if quantity else parse_decimal(base_quantity, "BMENGE"),
        "unit": unit or base_unit or None,
        "scheduled_start": parse_datetime(start_date, start_time, tz, "GSTRS/GSUZS"),
        "scheduled_end": parse_datetime(end_date, end_time, tz, "GLTRS/GLUZS"),
        "batch": batch or None,
        "sales_order": strip_zeros(sales_order) or None,
    }


def _first_plant(operations: list[Segment]) -> str | None:
    """The plant of the first operation that names one (for headers without WERKS)."""
    for operation in operations:
        (plant,) = operation.pick(_PLANT)
        if plant:
            return plant
    return None


def _operation(operation: Segment) -> dict[str, object]:
    number, description, work_center, control_key, confirmation, setup, machine, labor, *units = operation.pick(
        _OPERATION
    )
    (setup, machine, labor), unit = common_time_unit(
        [parse_decimal(setup, _SETUP), parse_decimal(machine, _MACHINE), parse_decimal(labor, _LABOR)], units
    )
    return {
        "number": number or None,
        "description": description,
        "work_center": work_center or None,
        "control_key": control_key or None,
        "setup_time": setup,
        "machine_time": machine,
        "labor_time": labor,
        "time_unit": unit,
        "confirmation_number": numc(confirmation),
    }


def _component(component: Segment) -> dict[str, object]:
    item, material, long_material, description, quantity, unit, location, backflush = component.pick(_COMPONENT)
    return {
        "item": item or None,
        "material": long_material or strip_zeros(material) or None,
        "description": description,
        "quantity": parse_decimal(quantity, "BDMNG"),
        "unit": unit or None,
        "storage_location": location or None,
        "backflush": flag(backflush),
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
