"""IDoc <-> canonical maps: field checks on sample files, round trips through both formats, mapping errors."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bus.canonical import (
    CanonicalMessage,
    Component,
    GoodsMovementItem,
    GoodsMovementPosted,
    Operation,
    OperationConfirmed,
    ProductionOrderReleased,
    QualityHoldPlaced,
)
from bus.errors import TransformFailed
from transformers.decoding import DecodeFailed
from transformers.idoc import (
    Idoc,
    flat_bytes,
    from_canonical,
    read_flat,
    read_xml,
    to_canonical,
    xml_bytes,
)
from transformers.idoc.errors import IdocEncodeError

DATA = Path(__file__).parent / "data" / "idoc"
BERLIN = ZoneInfo("Europe/Berlin")


def decode_file(name: str) -> list:
    reader = read_xml if name.endswith(".xml") else read_flat
    return [decoded for idoc in reader((DATA / name).open("rb")) for decoded in to_canonical(idoc)]


def only(idocs: list[Idoc]) -> Idoc:
    (idoc,) = idocs
    return idoc


# --- decoding the samples


def test_production_order_header_fields() -> None:
    first, second = decode_file("loipro01.txt")
    order = first.payload

    assert isinstance(order, ProductionOrderReleased)
    assert (order.plant, order.order_number, order.order_type) == ("1000", "1000123", "PP01")
    assert (order.material, order.description) == ("FG-PUMP-200", "Pump housing PH-200, machined")
    assert (order.quantity, order.unit) == (Decimal("120"), "EA")
    assert order.scheduled_start == datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
    assert order.scheduled_end == datetime(2026, 12, 3, 14, 0, tzinfo=UTC)
    assert (order.batch, order.sales_order) == ("B2612-01", "45001")
    assert (first.reference, first.correlation_id) == ("IDoc 0000000000481516", "1000123")
    assert first.occurred_at == datetime(2026, 11, 24, 7, 15, 2, tzinfo=UTC)
    assert second.payload.material == "80042"  # numeric material number without SAP's leading zeros
    assert (second.payload.batch, second.payload.sales_order) == (None, None)


def test_production_order_operations() -> None:
    order = decode_file("loipro01.txt")[0].payload

    assert [(op.number, op.work_center, op.control_key) for op in order.operations] == [
        ("0010", "SAW-01", "PP01"),
        ("0020", "LATHE-01", "PP01"),
        ("0030", "MILL-02", "PP01"),
        ("0040", "QC-01", "PP03"),
    ]
    saw, turn, mill, inspect = order.operations
    assert (saw.setup_time, saw.machine_time, saw.labor_time, saw.time_unit) == (15, Decimal("2.5"), 2.5, "MIN")
    assert (turn.labor_time, turn.description) == (None, "Turn outer contour")
    assert (mill.setup_time, mill.machine_time, mill.time_unit) == (Decimal("0.5"), Decimal("0.2"), "H")
    assert (inspect.setup_time, inspect.labor_time) == (None, 5)
    assert [op.confirmation_number for op in order.operations] == ["72101", "72102", "72103", "72104"]


def test_production_order_components() -> None:
    order = decode_file("loipro01.txt")[0].payload

    assert [(c.item, c.material, c.quantity, c.unit) for c in order.components] == [
        ("0010", "RM-CAST-88", 120, "EA"),
        ("0020", "SEAL-12", 240, "EA"),
        ("0030", "SCREW-M8X20", 960, "EA"),
    ]
    assert [c.backflush for c in order.components] == [True, False, True]
    assert [c.storage_location for c in order.components] == [None, "0001", None]
    assert order.components[1].description == "O-ring seal 12 mm"


def test_flat_and_xml_samples_decode_to_the_same_messages() -> None:
    assert decode_file("loipro01.xml") == decode_file("loipro01.txt")


def test_wmmbxy_goods_issue_to_an_order() -> None:
    (decoded,) = decode_file("wmmbxy.txt")
    movement = decoded.payload

    assert isinstance(movement, GoodsMovementPosted)
    assert (movement.plant, movement.document_number, movement.document_year) == ("1000", "WMS-GI-88231", 2026)
    assert (movement.movement_type, movement.posting_date) == ("261", date(2026, 12, 2))
    assert movement.reference == "Staging order 1000123"
    assert [(i.line, i.material, i.quantity, i.batch) for i in movement.items] == [
        (1, "RM-CAST-88", 120, "C-2611-07"),
        (2, "SEAL-12", 240, None),
    ]
    assert {i.order_number for i in movement.items} == {"1000123"}
    assert [i.reason_code for i in movement.items] == [None, None]
    assert (decoded.reference, decoded.correlation_id) == ("IDoc 0000000000770001", "1000123")


def test_mbgmcr_goods_receipt_from_a_soap_packet() -> None:
    (decoded,) = decode_file("mbgmcr03.xml")
    movement = decoded.payload

    assert (movement.document_number, movement.movement_type, movement.plant) == ("MES-GR-1000123-1", "101", "1000")
    (item,) = movement.items
    assert (item.material, item.quantity, item.unit, item.storage_location) == ("FG-PUMP-200", 118, "EA", "0100")
    assert (item.batch, item.order_number, item.purchase_order) == ("B2612-01", "1000123", None)
    assert decoded.correlation_id == "1000123"


def test_time_ticket_from_a_flat_file() -> None:
    (decoded,) = decode_file("pptimeticket.txt")
    confirmation = decoded.payload

    assert isinstance(confirmation, OperationConfirmed)
    assert (confirmation.order_number, confirmation.operation, confirmation.work_center) == (
        "1000123",
        "0010",
        "SAW-01",
    )
    assert (confirmation.confirmation_number, confirmation.personnel_number) == ("72101", "4711")
    assert (confirmation.yield_quantity, confirmation.scrap_quantity, confirmation.unit) == (118, 2, "EA")
    assert (confirmation.scrap_reason, confirmation.final_confirmation) == ("0002", True)
    assert (confirmation.setup_time, confirmation.machine_time, confirmation.labor_time) == (15, 301, 301)
    assert confirmation.confirmed_at == datetime(2026, 12, 1, 11, 11, 58, tzinfo=UTC)
    assert (decoded.reference, decoded.correlation_id) == ("IDoc 0000000000930007", "1000123")
    assert decoded.occurred_at == confirmation.confirmed_at


def test_each_time_ticket_of_an_idoc_is_a_message_of_its_own() -> None:
    partial, final = decode_file("pptimeticket.xml")

    assert (partial.reference, final.reference) == ("IDoc 0000000000930008/000001", "IDoc 0000000000930008/000002")
    assert (partial.payload.operation, partial.payload.final_confirmation) == ("0020", False)
    assert (final.payload.operation, final.payload.final_confirmation, final.payload.rework_quantity) == (
        "0030",
        True,
        1,
    )
    # setup in hours, machine time in minutes: both are given in minutes
    assert (final.payload.setup_time, final.payload.machine_time, final.payload.time_unit) == (30, 1440, "MIN")


def test_an_unmapped_idoc_type_is_a_clear_decode_failure() -> None:
    (idoc,) = read_xml((DATA / "matmas05.xml").open("rb"))

    with pytest.raises(DecodeFailed) as failure:
        to_canonical(idoc)
    assert failure.value.reason == "IDoc type MATMAS05 (message type MATMAS) is not mapped to a canonical message"
    assert "IDoc 0000000000550001" in failure.value.location


def test_dates_and_times_are_read_in_the_given_zone() -> None:
    (idoc,) = [i for i in read_flat((DATA / "loipro01.txt").open("rb"))][:1]

    (decoded,) = to_canonical(idoc, timezone=BERLIN)
    assert decoded.payload.scheduled_start == datetime(2026, 12, 1, 5, 0, tzinfo=UTC)


# --- round trips: canonical -> IDoc (flat and XML) -> canonical


def production_order() -> ProductionOrderReleased:
    return ProductionOrderReleased(
        plant="2000",
        order_number="4711000",
        order_type="PP01",
        material="FG-4711",
        description="Gear box GB-7",
        quantity=Decimal("25.5"),
        unit="EA",
        scheduled_start=datetime(2027, 1, 4, 6, 30, tzinfo=UTC),
        scheduled_end=datetime(2027, 1, 5, 22, 0, tzinfo=UTC),
        batch="B27-0001",
        sales_order="77001",
        operations=[
            Operation(
                number="0010",
                description="Cut",
                work_center="SAW-03",
                control_key="PP01",
                setup_time=12,
                machine_time=Decimal("1.25"),
                labor_time=Decimal("1.25"),
                confirmation_number="90001",
            ),
            Operation(number="0020", work_center="ASSY-1", labor_time=Decimal("0.75"), time_unit="H"),
        ],
        components=[
            Component(
                item="0010",
                material="HOUSING-7",
                description="Housing",
                quantity=Decimal("25.5"),
                unit="EA",
                storage_location="0001",
                backflush=True,
            ),
            Component(item="0020", material="OIL-5W30", quantity=Decimal("3.825"), unit="L"),
        ],
    )


def goods_movement() -> GoodsMovementPosted:
    return GoodsMovementPosted(
        plant="2000",
        document_number="MES-GI-0042",
        document_year=2027,
        movement_type="261",
        posting_date=date(2027, 1, 4),
        reference="Issue to 4711000",
        items=[
            GoodsMovementItem(
                line=1,
                material="HOUSING-7",
                quantity=Decimal("25.5"),
                unit="EA",
                storage_location="0001",
                batch="H-77",
                order_number="4711000",
                reason_code="0001",
            ),
            GoodsMovementItem(line=2, material="OIL-5W30", quantity=Decimal("3.825"), unit="L", order_number="4711000"),
        ],
    )


def goods_receipt_for_purchase_order() -> GoodsMovementPosted:
    return GoodsMovementPosted(
        plant="2000",
        document_number="ASN-88120",
        document_year=2027,
        movement_type="101",
        posting_date=date(2027, 1, 6),
        items=[GoodsMovementItem(line=1, material="HOUSING-7", quantity=100, unit="EA", purchase_order="4500012345")],
    )


def confirmation() -> OperationConfirmed:
    return OperationConfirmed(
        plant="2000",
        order_number="4711000",
        operation="0010",
        work_center="SAW-03",
        confirmation_number="90001",
        yield_quantity=Decimal("24"),
        scrap_quantity=Decimal("1.5"),
        rework_quantity=0,
        unit="EA",
        scrap_reason="0003",
        setup_time=12,
        machine_time=Decimal("30.5"),
        labor_time=Decimal("30.5"),
        personnel_number="815",
        final_confirmation=True,
        confirmed_at=datetime(2027, 1, 4, 9, 41, 7, tzinfo=UTC),
    )


MESSAGES = {
    "LOIPRO01": (production_order, None),
    "WMMBID02": (goods_movement, None),
    "MBGMCR03": (goods_movement, "MBGMCR03"),
    "MBGMCR03-PO": (goods_receipt_for_purchase_order, "MBGMCR03"),
    "PPCC2PRETTICKET01": (confirmation, None),
}


def write_and_read(idoc: Idoc, fmt: str) -> Idoc:
    if fmt == "flat":
        return only(list(read_flat(io.BytesIO(flat_bytes([idoc])))))
    return only(list(read_xml(io.BytesIO(xml_bytes([idoc])))))


@pytest.mark.parametrize("fmt", ["flat", "xml"])
@pytest.mark.parametrize("case", sorted(MESSAGES))
def test_round_trip(case: str, fmt: str) -> None:
    build, idoc_type = MESSAGES[case]
    message: CanonicalMessage = build()

    idoc = from_canonical(message, docnum="0000000000012345", idoc_type=idoc_type)
    assert idoc.control.IDOCTYP == case.split("-")[0]

    (decoded,) = to_canonical(write_and_read(idoc, fmt))
    assert decoded.payload == message
    assert decoded.reference == "IDoc 0000000000012345"


def test_round_trip_in_a_plant_time_zone_keeps_the_moments() -> None:
    order = production_order()

    idoc = from_canonical(order, docnum="1", timezone=BERLIN)
    assert (idoc.segments[0].get("GSTRS"), idoc.segments[0].get("GSUZS")) == ("20270104", "073000")
    (decoded,) = to_canonical(write_and_read(idoc, "flat"), timezone=BERLIN)
    assert decoded.payload.scheduled_start == order.scheduled_start


def test_written_order_places_components_below_the_first_operation() -> None:
    idoc = from_canonical(production_order(), docnum="1")

    header = idoc.segments[0]
    assert (header.get("AUFNR"), header.get("MATNR"), header.get("KDAUF")) == ("000004711000", "FG-4711", "0000077001")
    (sequence,) = header.children
    first_operation, second_operation = sequence.children
    assert [c.get("POSNR") for c in first_operation.children] == ["0010", "0020"]
    assert (second_operation.get("VGW03"), second_operation.get("VGE03"), second_operation.get("VGW01")) == (
        "0.75",
        "H",
        "",
    )


def test_long_material_numbers_use_the_40_character_field() -> None:
    order = production_order().model_copy(update={"material": "MAT-" + "9" * 30})

    idoc = from_canonical(order, docnum="1")
    assert (idoc.segments[0].get("MATNR"), idoc.segments[0].get("MATNR_LONG")) == ("", order.material)
    (decoded,) = to_canonical(write_and_read(idoc, "flat"))
    assert decoded.payload.material == order.material


def test_written_goods_movements_name_the_sap_transaction() -> None:
    issue = from_canonical(goods_movement(), docnum="1")
    receipt = from_canonical(goods_receipt_for_purchase_order(), docnum="2", idoc_type="MBGMCR03")

    assert issue.segments[0].get("TCODE") == "MB1A"
    assert receipt.first("E1BP2017_GM_CODE").get("GM_CODE") == "01"
    assert receipt.first("E1BP2017_GM_ITEM_CREATE").get("PO_NUMBER") == "4500012345"


def test_written_time_ticket_record_type_follows_final_confirmation() -> None:
    final = from_canonical(confirmation(), docnum="1").segments[0]
    partial = from_canonical(confirmation().model_copy(update={"final_confirmation": False}), docnum="2").segments[0]

    assert (final.get("RECORDTYPE"), final.get("FIN_CONF")) == ("L40", "X")
    assert (partial.get("RECORDTYPE"), partial.get("FIN_CONF")) == ("L20", "")
    assert (final.get("ORDERID"), final.get("PERS_NO"), final.get("CONF_NO")) == (
        "000004711000",
        "00000815",
        "0000090001",
    )


def test_a_value_too_long_for_its_field_fails_the_transform() -> None:
    order = production_order().model_copy(update={"description": "D" * 41})

    idoc = from_canonical(order, docnum="1")
    with pytest.raises(IdocEncodeError, match="E1AFKOL-KTEXT holds 40 characters") as failure:
        flat_bytes([idoc])
    assert isinstance(failure.value, TransformFailed)


def test_a_message_type_without_idoc_map_fails_the_transform() -> None:
    hold = QualityHoldPlaced(
        plant="1000",
        hold_id="H1",
        material="M",
        lot="L",
        quantity=1,
        unit="EA",
        reason_code="R",
        placed_by="QA",
        placed_at=datetime(2027, 1, 1, tzinfo=UTC),
    )

    with pytest.raises(TransformFailed, match=r"quality\.hold\.placed cannot be written as an IDoc"):
        from_canonical(hold, docnum="1")
    with pytest.raises(TransformFailed, match=r"as LOIPRO01"):
        from_canonical(goods_movement(), docnum="1", idoc_type="LOIPRO01")


# --- content that does not make a canonical message


def order_idoc(**header_changes: str) -> Idoc:
    idoc = from_canonical(production_order(), docnum="0000000000000099")
    idoc.segments[0].fields.update(header_changes)
    return idoc


@pytest.mark.parametrize(
    ("changes", "location", "reason"),
    [
        ({"GAMNG": "12,5"}, "field GAMNG", "'12,5' is not a number"),
        ({"GSTRS": "20271341"}, "field GSTRS/GSUZS", "'20271341' is not a calendar date"),
        ({"GSUZS": "25 000"}, "field GSTRS/GSUZS", "is not a time"),
        ({"GSTRS": "4.1.2027"}, "field GSTRS/GSUZS", "is not a date (YYYYMMDD)"),
    ],
)
def test_bad_values_name_their_segment_and_field(changes: dict[str, str], location: str, reason: str) -> None:
    with pytest.raises(DecodeFailed) as failure:
        to_canonical(write_and_read(order_idoc(**changes), "flat"))
    assert failure.value.location == f"IDoc 0000000000000099, segment E1AFKOL 000001, {location}"
    assert reason in failure.value.reason


def test_a_negative_quantity_fails_canonical_validation() -> None:
    with pytest.raises(DecodeFailed, match=r"not make a valid production.order.released: quantity: .*greater than"):
        to_canonical(order_idoc(GAMNG="5.000-"))


def test_missing_mandatory_content_is_named() -> None:
    with pytest.raises(DecodeFailed, match="order_number: Input should be a valid string"):
        to_canonical(order_idoc(AUFNR=""))
    idoc = from_canonical(goods_movement(), docnum="7")
    idoc.segments[0].fields["XBLNR"] = ""
    with pytest.raises(DecodeFailed, match="field XBLNR") as failure:
        to_canonical(idoc)
    assert "the field is empty" in failure.value.reason


def test_an_idoc_without_its_header_segment_is_refused() -> None:
    idoc = from_canonical(production_order(), docnum="5")
    idoc.segments.clear()

    with pytest.raises(DecodeFailed, match="the IDoc has no E1AFKOL segment"):
        to_canonical(idoc)


def test_items_with_different_movement_types_are_refused() -> None:
    idoc = from_canonical(goods_movement(), docnum="8")
    list(idoc.iter("E1MBXYI"))[1].fields["BWART"] = "262"

    with pytest.raises(DecodeFailed, match=r"different movement types \(261, 262\) in BWART"):
        to_canonical(idoc)


def test_items_in_different_plants_are_refused() -> None:
    idoc = from_canonical(goods_movement(), docnum="8", idoc_type="MBGMCR03")
    idoc.first("E1BP2017_GM_ITEM_CREATE").fields["PLANT"] = "3000"

    with pytest.raises(DecodeFailed, match=r"different plants \(2000, 3000\)"):
        to_canonical(idoc)


def test_end_of_day_time_is_midnight_of_the_next_day() -> None:
    idoc = order_idoc(GLUZS="240000")

    (decoded,) = to_canonical(idoc)
    assert decoded.payload.scheduled_end == datetime(2027, 1, 6, tzinfo=UTC)


def test_a_naive_confirmation_time_is_taken_as_the_zone_given() -> None:
    message = confirmation().model_copy(update={"confirmed_at": datetime(2027, 1, 4, 9, 41, 7)})
    plus_two = timezone(timedelta(hours=2))

    ticket = from_canonical(message, docnum="1", timezone=plus_two).segments[0]
    assert (ticket.get("EXEC_FIN_DATE"), ticket.get("EXEC_FIN_TIME")) == ("20270104", "094107")
