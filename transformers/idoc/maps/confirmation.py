"""PP-PDC time ticket (message type PPCC2PRETTICKET, basic type PPCC2PRETTICKET01) <-> ``OperationConfirmed``.

A subsystem (MES, shop floor terminal) confirms production order operations to SAP with time tickets, one
E1BP_PP_TIMETICKET segment each (structure BAPI_PP_TIMETICKET); SAP posts them as confirmations (AFRU).
This is the upload of SAP's PP-PDC interface (R/3 4.6A on, method CreatePredefTimeTicketMultiple of BUS2116),
which replaced the transceiver-based communication channel CC2.

===================  ==========================================================================
canonical            E1BP_PP_TIMETICKET
===================  ==========================================================================
order_number         ORDERID (leading zeros dropped)
operation            OPERATION
work_center, plant   WORK_CNTR, PLANT
confirmation_number  CONF_NO
yield/scrap/rework   YIELD, SCRAP, REWORK in CONF_QUAN_UNIT
scrap_reason         DEV_REASON (a reason code of up to 4 characters), else CONF_TEXT (first 40 characters)
setup/machine/labor  CONF_ACTIVITY1..3 in CONF_ACTI_UNIT1..3
personnel_number     PERS_NO
final_confirmation   FIN_CONF ``X`` or ``1`` (record type L40 is written for a final, L20 for a partial one)
confirmed_at         EXEC_FIN_DATE + EXEC_FIN_TIME (else POSTG_DATE); written as posting date too
===================  ==========================================================================

An IDoc may carry several time tickets: each becomes one message, referenced ``IDoc <DOCNUM>`` when alone
and ``IDoc <DOCNUM>/<SEGNUM>`` when the IDoc holds several.
"""

from __future__ import annotations

from bus.canonical import OperationConfirmed
from transformers.decoding import Decoded
from transformers.idoc.errors import decode_failed
from transformers.idoc.maps.base import Context, IdocMap, SegmentView, segment, validated
from transformers.idoc.model import Idoc, Segment
from transformers.idoc.values import format_datetime, format_decimal, pad_zeros

TIME_TICKET = "E1BP_PP_TIMETICKET"
_ACTIVITIES = [
    ("CONF_ACTIVITY1", "CONF_ACTI_UNIT1"),
    ("CONF_ACTIVITY2", "CONF_ACTI_UNIT2"),
    ("CONF_ACTIVITY3", "CONF_ACTI_UNIT3"),
]


def decode(idoc: Idoc, context: Context) -> list[Decoded]:
    tickets = list(idoc.iter(TIME_TICKET))
    if not tickets:
        raise decode_failed(f"the IDoc has no {TIME_TICKET} segment", docnum=idoc.docnum)
    decoded = []
    for ticket in tickets:
        message = _confirmation(SegmentView(idoc, ticket), idoc, context)
        reference = f"IDoc {idoc.docnum}" if len(tickets) == 1 else f"IDoc {idoc.docnum}/{ticket.segnum:06d}"
        decoded.append(
            Decoded(
                payload=message,
                reference=reference,
                correlation_id=message.order_number,
                occurred_at=message.confirmed_at,
            )
        )
    return decoded


_REASON_CODE_LENGTH = 4
_CONF_TEXT_LENGTH = 40


def _confirmation(view: SegmentView, idoc: Idoc, context: Context) -> OperationConfirmed:
    (setup, machine, labor), unit = view.times(_ACTIVITIES)
    tz = context.timezone
    confirmed_at = view.moment("EXEC_FIN_DATE", "EXEC_FIN_TIME", tz) or view.moment("POSTG_DATE", "", tz)
    data = {
        "plant": view.text("PLANT"),
        "order_number": view.alpha("ORDERID"),
        "operation": view.text("OPERATION"),
        "work_center": view.text("WORK_CNTR"),
        "confirmation_number": view.numc("CONF_NO"),
        "yield_quantity": view.decimal("YIELD") or 0,
        "scrap_quantity": view.decimal("SCRAP") or 0,
        "rework_quantity": view.decimal("REWORK") or 0,
        "unit": view.text("CONF_QUAN_UNIT"),
        "scrap_reason": view.text("DEV_REASON") or view.text("CONF_TEXT"),
        "setup_time": setup or 0,
        "machine_time": machine or 0,
        "labor_time": labor or 0,
        "time_unit": unit,
        "personnel_number": view.numc("PERS_NO"),
        "final_confirmation": view.text("FIN_CONF") in ("X", "1"),
        "confirmed_at": confirmed_at,
    }
    return validated(OperationConfirmed, data, docnum=idoc.docnum)


def _scrap_reason(reason: str | None) -> dict[str, str | None]:
    """A variance reason code (up to 4 characters) goes to DEV_REASON; a text to the confirmation text."""
    if reason and (len(reason) > _REASON_CODE_LENGTH or " " in reason):
        return {"CONF_TEXT": reason[:_CONF_TEXT_LENGTH]}
    return {"DEV_REASON": reason}


def encode(message: OperationConfirmed, context: Context) -> list[Segment]:
    day, moment = format_datetime(message.confirmed_at, context.timezone)
    fields: dict[str, str | None] = {
        "CONF_NO": pad_zeros(message.confirmation_number or "", 10),
        "ORDERID": pad_zeros(message.order_number, 12),
        "OPERATION": message.operation,
        "FIN_CONF": "X" if message.final_confirmation else "",
        "POSTG_DATE": day,
        **_scrap_reason(message.scrap_reason),
        "PLANT": message.plant,
        "WORK_CNTR": message.work_center,
        "RECORDTYPE": "L40" if message.final_confirmation else "L20",
        "CONF_QUAN_UNIT": message.unit,
        "YIELD": format_decimal(message.yield_quantity),
        "SCRAP": format_decimal(message.scrap_quantity),
        "REWORK": format_decimal(message.rework_quantity),
        "EXEC_FIN_DATE": day,
        "EXEC_FIN_TIME": moment,
        "PERS_NO": pad_zeros(message.personnel_number or "", 8),
    }
    times = (message.setup_time, message.machine_time, message.labor_time)
    for (value_field, unit_field), value in zip(_ACTIVITIES, times, strict=True):
        fields[value_field] = format_decimal(value)
        fields[unit_field] = message.time_unit
    return [segment(TIME_TICKET, fields)]


TIME_TICKETS = IdocMap(
    message_type="PPCC2PRETTICKET",
    idoc_type="PPCC2PRETTICKET01",
    reads=("PPCC2PRETTICKET01", "PPCC2PRETTICKET02", "PPCC2PRETTICKET"),
    canonical=OperationConfirmed,
    decode=decode,
    encode=encode,
)
