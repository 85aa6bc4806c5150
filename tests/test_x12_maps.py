"""856 and 850 maps: round trips, partner sample files, and mapping errors pointing at segment and element."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bus.canonical import PurchaseOrderIssued, ShipmentNoticeReceived
from tests.test_x12_fixtures import (
    asn_interchange,
    find,
    notice,
    order,
    po_interchange,
    read,
    replace_segment,
    sample,
    split,
)
from transformers.x12 import GenerationError, MappingError, codes, parse_850, parse_856, set_850, set_856

# -- round trips ----------------------------------------------------------------------------------------------------

NOTICES = {
    "full": notice(),
    "minimal": notice(
        expected_delivery=None,
        carrier=None,
        tracking_number=None,
        packs=[{"lines": [{"line_number": 1, "material": "M", "quantity": "1", "unit": "EA"}]}],
    ),
    "carrier name, naive times": notice(
        carrier="Spedition Müller & Söhne",
        shipped_at=datetime(2024, 3, 1, 23, 59, 58),
        expected_delivery=datetime(2024, 3, 2, 0, 0, 0, 250000),
    ),
    "one order in every pack": notice(
        packs=[
            {"sscc": f"0034012345000000{n:02d}", "lines": [{**line, "purchase_order": "PO-9"}]}
            for n, line in enumerate(
                [{"line_number": k, "material": f"M{k}", "quantity": str(k), "unit": "EA"} for k in (1, 2, 3)], 1
            )
        ]
    ),
}


def segments_of(outbound_data: bytes) -> list[list[str]]:
    """The first transaction set (ST..SE) of an interchange."""
    segments = split(outbound_data)
    return segments[find(segments, "ST") : find(segments, "SE") + 1]


@pytest.mark.parametrize("shipment", NOTICES.values(), ids=NOTICES.keys())
def test_856_round_trips(shipment: ShipmentNoticeReceived):
    assert parse_856(segments_of(asn_interchange(shipment))) == shipment
    outcomes, messages = read(asn_interchange(shipment, shipment))
    assert outcomes[0].accepted and [m.payload for m in messages] == [shipment, shipment]


def test_856_times_keep_their_instant_and_their_hundredths():
    shipment = notice(
        shipped_at=datetime(2024, 3, 1, 8, 0, 5, 120000, tzinfo=ZoneInfo("Europe/Berlin")),
        expected_delivery=datetime(2024, 3, 1, 12, 0, tzinfo=timezone(timedelta(hours=-5))),
    )
    parsed = parse_856(segments_of(asn_interchange(shipment)))
    assert parsed.shipped_at == shipment.shipped_at and parsed.shipped_at.tzinfo == UTC
    assert parsed.expected_delivery == shipment.expected_delivery


@pytest.mark.parametrize(
    "purchase",
    [
        order(),
        order(currency=None, issued_at=None),
        order(
            lines=[
                {
                    "line_number": 7,
                    "material": "MAT-1",
                    "description": "A description longer than one PID segment holds, " * 4,
                    "quantity": "0.001",
                    "unit": "KG",
                    "unit_price": "1234.5",
                }
            ]
        ),
    ],
    ids=["full", "minimal heading", "long description"],
)
def test_850_round_trips(purchase: PurchaseOrderIssued):
    assert parse_850(segments_of(po_interchange(purchase))) == purchase
    outcomes, messages = read(po_interchange(purchase))
    assert outcomes[0].accepted and [m.payload for m in messages] == [purchase]
    assert messages[0].correlation_id == purchase.po_number


def test_850_descriptions_are_split_over_pid_segments_of_80_characters():
    purchase = order(lines=[{"line_number": 1, "material": "M", "description": "x" * 170, "quantity": 1, "unit": "EA"}])
    pids = [s for s in set_850(purchase).segments if s[0] == "PID"]
    assert [len(s[5]) for s in pids] == [80, 80, 10]


def test_856_is_written_in_the_004010_hierarchy():
    outbound = set_856(notice(), created_at=datetime(2024, 3, 1, 14, 30))
    tags = [s[0] for s in outbound.segments]
    assert tags[:2] == ["BSN", "HL"] and tags[-1] == "CTT"
    levels = [(s[1], s[2], s[3]) for s in outbound.segments if s[0] == "HL"]
    # S, then O (PO 4500012345) over the two packs of that order, then the mixed pack directly under S
    assert [code for _, _, code in levels] == ["S", "O", "P", "I", "I", "P", "I", "P", "I", "I"]
    parents = {number: parent for number, parent, _ in levels}
    assert parents["2"] == "1" and parents["3"] == "2" and parents["8"] == "1"
    assert outbound.segments[-1] == ("CTT", str(len(levels)))
    item_prf = [s for s in outbound.segments if s[0] == "PRF"]
    assert item_prf == [("PRF", "4500012345"), ("PRF", "4500012399")]  # O level, then the mixed pack's line


# -- partner sample files -------------------------------------------------------------------------------------------


def test_the_sample_856_reads_to_its_shipment_notice():
    outcomes, messages = read(sample("asn_856.x12"))
    assert outcomes[0].accepted and len(messages) == 1
    message = messages[0]
    assert (message.reference, message.correlation_id) == ("ISA 000004711/GS 4711/ST 0001", "ASN-2024-0042")
    assert message.occurred_at == datetime(2024, 3, 1, 14, 30)  # BSN03/BSN04
    lines = [
        {
            "line_number": 10,
            "material": "MAT-100200",
            "supplier_material": "AC-7781",
            "quantity": Decimal(120),
            "unit": "EA",
            "batch": "L240228-01",
            "purchase_order": "4500012345",
            "purchase_order_line": "00010",
        },
        {
            "line_number": 20,
            "material": "MAT-100300",
            "supplier_material": "AC-7790",
            "quantity": Decimal("2.5"),
            "unit": "KG",
            "purchase_order": "4500012345",
            "purchase_order_line": "00020",
        },
        {
            "line_number": 30,
            "material": "MAT-100400",
            "quantity": Decimal(48),
            "unit": "EA",
            "batch": "L240229-07",
            "purchase_order": "4500012345",
            "purchase_order_line": "00030",
        },
    ]
    assert (
        message.payload
        == ShipmentNoticeReceived(
            plant="1000",
            asn_number="ASN-2024-0042",
            supplier_id="V100234",  # N1*SU wins over N1*SF
            shipped_at=datetime(2024, 3, 1, 14, 15, tzinfo=ZoneInfo("America/New_York")),
            expected_delivery=datetime(2024, 3, 4),
            carrier="ODFL",  # TD503, the SCAC
            tracking_number="PRO-5512093",  # REF*CN wins over REF*BM
            packs=[
                {
                    "sscc": "003401234500000018",
                    "package_type": "CTN25",
                    "gross_weight": Decimal("20.5"),
                    "weight_unit": "KG",
                    "lines": lines[:2],
                },
                {
                    "sscc": "003401234500000025",
                    "package_type": "CTN25",
                    "gross_weight": Decimal(41),
                    "weight_unit": "KG",
                    "lines": lines[2:],
                },
            ],
        )
    )


def test_the_sample_850_with_pipes_and_newlines_reads_to_its_order():
    outcomes, messages = read(sample("po_850_pipes.x12"))
    assert outcomes[0].accepted and len(messages) == 1
    assert messages[0].payload == PurchaseOrderIssued(
        plant="1000",
        po_number="4500012345",
        supplier_id="V100234",
        buyer_id="CUST-778",
        order_date=date(2024, 2, 15),
        currency="EUR",
        issued_at=datetime(2024, 2, 15, 9, 5, 12, tzinfo=UTC),
        lines=[
            {
                "line_number": 10,
                "material": "MAT-100200",
                "supplier_material": "AC-7781",
                "description": "Hex bolt M8x40 zinc",
                "quantity": 120,
                "unit": "EA",
                "unit_price": Decimal("0.85"),
                "delivery_date": date(2024, 3, 4),
            },
            {
                "line_number": 20,
                "material": "MAT-100300",
                "description": "Washer assortment",
                "quantity": "2.5",
                "unit": "KG",
                "unit_price": 14,
            },
            {"line_number": 30, "material": "MAT-100400", "supplier_material": "AC-7795", "quantity": 48, "unit": "EA"},
        ],
    )
    assert messages[0].occurred_at == datetime(2024, 2, 15, 9, 5, 12, tzinfo=UTC)


# -- mapping errors --------------------------------------------------------------------------------------------------


def edited_856(tag: str, qualifier: str | None, replacement: list[str] | None) -> list[list[str]]:
    """The first 856 of the default interchange with its first ``tag`` (with that first element) replaced."""
    segments = segments_of(asn_interchange(notice()))
    at = next(i for i, s in enumerate(segments) if s[0] == tag and (qualifier is None or s[1] == qualifier))
    segments[at : at + 1] = [replacement] if replacement else []
    return segments


def mapping_error(segments: list[list[str]]) -> MappingError:
    with pytest.raises(MappingError) as caught:
        parse_856(segments)
    return caught.value


def test_a_missing_mandatory_segment_is_named():
    error = mapping_error(edited_856("DTM", "011", None))
    note = error.segment_errors[0]
    assert (note.segment_id, note.code) == ("DTM", codes.SEGMENT_MANDATORY_MISSING)
    assert error.reason == "DTM*011 (shipped date) of the shipment level missing"


@pytest.mark.parametrize(
    ("tag", "qualifier", "replacement", "element", "code", "words"),
    [
        (
            "SN1",
            None,
            ["SN1", "", "12,5", "EA"],
            2,
            codes.ELEMENT_INVALID_CHARACTER,
            "SN102 (number of units shipped) '12,5' is not accepted: Input should be a valid decimal",
        ),
        (
            "MAN",
            "GM",
            ["MAN", "GM", "12345"],
            2,
            codes.ELEMENT_INVALID_CHARACTER,
            "MAN02 (marks and numbers) '12345' is not accepted: String should match pattern",
        ),
        (
            "DTM",
            "011",
            ["DTM", "011", "20240230"],
            2,
            codes.ELEMENT_INVALID_DATE,
            "DTM02 (date) '20240230' is not a calendar date",
        ),
        (
            "DTM",
            "011",
            ["DTM", "011", "20240301", "1200", "XX"],
            4,
            codes.ELEMENT_INVALID_CODE,
            "DTM04 (time code) 'XX'",
        ),
        (
            "LIN",
            None,
            ["LIN", "ten", "BP", "M"],
            1,
            codes.ELEMENT_INVALID_CHARACTER,
            "LIN01 (assigned identification) 'ten' is not accepted: Input should be a valid integer",
        ),
        ("LIN", None, ["LIN", "1", "VP", "X"], 3, codes.ELEMENT_MANDATORY_MISSING, "has no BP (buyer's part number)"),
        (
            "HL",
            None,
            ["HL", "1", "", "S", "1"],
            1,
            codes.ELEMENT_INVALID_CODE,
            "HL01 (hierarchical ID number) '1' is used by an earlier HL",
        ),
        (
            "N1",
            "ST",
            ["N1", "ST", "", "92", "10.00"],
            4,
            codes.ELEMENT_INVALID_CHARACTER,
            "N104 (identification code) '10.00' is not accepted",
        ),
        (
            "CTT",
            None,
            ["CTT", "3"],
            1,
            codes.ELEMENT_INVALID_CODE,
            "CTT01 (number of line items) is not the number of HL segments (10)",
        ),
    ],
)
def test_a_bad_element_is_named_with_its_position_and_value(
    tag: str, qualifier: str | None, replacement: list[str], element: int, code: str, words: str
):
    segments = edited_856(tag, qualifier, replacement)
    at = segments.index(replacement) + 1
    if tag == "HL":  # the duplicate is the second HL: the replaced one is the shipment level's
        segments[at - 1] = ["HL", "1", "", "S", "1"]
        segments[find(segments, "HL", at)] = ["HL", "1", "1", "O", "1"]
        at = find(segments, "HL", at) + 1
    error = mapping_error(segments)
    note = error.segment_errors[0]
    assert (note.segment_id, note.position) == (tag, at)
    assert (note.elements[0].position, note.elements[0].code) == (element, code)
    assert words in error.reason


def test_a_set_that_cannot_be_mapped_is_rejected_and_its_neighbours_accepted():
    data = asn_interchange(notice("ASN-1"), notice("ASN-2"), notice("ASN-3"))
    segments = split(data)
    second = find(segments, "ST", find(segments, "SE"))
    sn1 = find(segments, "SN1", second)
    outcomes, messages = read(replace_segment(data, sn1, ["SN1", "", "-", "EA"]))
    group = outcomes[0].groups[0]
    assert [s.code for s in group.sets()] == ["A", "R", "A"]
    assert group.code == codes.PARTIALLY_ACCEPTED
    assert outcomes[0].reasons == [
        f"GS 4711 ST 0002 at segment {sn1 + 1}: SN102 (number of units shipped) '-' is not accepted: "
        "Input should be a valid decimal [AK5 5]"
    ]
    assert [m.correlation_id for m in messages] == ["ASN-1", "ASN-3"]


def test_an_invalid_optional_date_is_left_out_and_noted():
    data = asn_interchange(notice())
    segments = split(data)
    at = next(i for i, s in enumerate(segments) if s[:2] == ["DTM", "017"])
    outcomes, messages = read(replace_segment(data, at, ["DTM", "017", "20241301"]))
    group = outcomes[0].groups[0]
    assert [s.code for s in group.sets()] == [codes.ACCEPTED_WITH_ERRORS]
    assert group.code == codes.ACCEPTED_WITH_ERRORS
    assert "left out (accepted with this noted)" in outcomes[0].reasons[0]
    assert messages[0].payload == notice(expected_delivery=None)


def test_parsing_alone_is_strict_about_optional_dates():
    segments = edited_856("DTM", "017", ["DTM", "017", "20241301"])
    assert mapping_error(segments).segment_errors[0].elements[0].code == codes.ELEMENT_INVALID_DATE


def test_items_without_a_pack_level_read_as_one_pack_per_parent():
    segments = [
        ["ST", "856", "0001"],
        ["BSN", "00", "ASN-9", "20240301", "1200", "0004"],
        ["HL", "1", "", "S", "1"],
        ["DTM", "011", "20240301"],
        ["N1", "SU", "", "92", "V1"],
        ["N1", "ST", "", "92", "1000"],
        ["HL", "2", "1", "O", "1"],
        ["PRF", "PO-1"],
        ["HL", "3", "2", "I", "0"],
        ["LIN", "1", "BP", "M1"],
        ["SN1", "", "5", "EA"],
        ["HL", "4", "2", "I", "0"],
        ["LIN", "2", "BP", "M2"],
        ["SN1", "", "6", "EA"],
        ["SE", "15", "0001"],
    ]
    parsed = parse_856(segments)
    assert len(parsed.packs) == 1 and parsed.packs[0].sscc is None
    assert [(line.material, line.purchase_order) for line in parsed.packs[0].lines] == [("M1", "PO-1"), ("M2", "PO-1")]


# -- what cannot be written --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"asn_number": "ASN~1"}, "separator"),
        ({"plant": "P"}, "N104 (identification code) 'P' must be 2 to 80"),
        ({"asn_number": "A" * 31}, "BSN02"),
    ],
)
def test_values_x12_cannot_carry_are_refused_when_writing(changes: dict[str, object], words: str):
    with pytest.raises(GenerationError, match=re.escape(words)):
        asn_interchange(notice(**changes))


def one_line_pack(unit: str = "EA", **pack: object) -> list[dict[str, object]]:
    return [{**pack, "lines": [{"line_number": 1, "material": "M", "quantity": 1, "unit": unit}]}]


def test_units_are_x12_unit_codes():
    with pytest.raises(GenerationError, match="SN103"):
        set_856(notice(packs=one_line_pack(unit="PCE")), created_at=datetime(2024, 3, 1))


def test_a_gross_weight_needs_its_unit():
    with pytest.raises(GenerationError, match="TD107 and TD108"):
        set_856(notice(packs=one_line_pack(gross_weight=5)), created_at=datetime(2024, 3, 1))


@pytest.mark.parametrize(
    ("tag", "qualifier", "replacement", "where", "words"),
    [
        ("N1", "SE", None, ("N1", None), "N1*SE (the supplier id) in the heading missing"),
        ("PO1", None, ["PO1", "10", "lots", "EA", "", "", "BP", "M"], ("PO1", 2), "PO102 (quantity ordered) 'lots'"),
        (
            "PO1",
            None,
            ["PO1", "10", "1", "", "", "", "BP", "M"],
            ("PO1", 3),
            "PO103 (unit of measurement code) is missing",
        ),
        ("CTT", None, ["CTT", "7"], ("CTT", 1), "is not the number of PO1 segments (2)"),
        ("CUR", None, ["CUR", "BY", "euro"], ("CUR", 2), "CUR02 (currency code) 'euro' is not accepted"),
    ],
)
def test_850_problems_are_named_with_segment_and_element(
    tag: str, qualifier: str | None, replacement: list[str] | None, where: tuple[str, int | None], words: str
):
    segments = segments_of(po_interchange(order()))
    at = next(i for i, s in enumerate(segments) if s[0] == tag and (qualifier is None or s[1] == qualifier))
    segments[at : at + 1] = [replacement] if replacement else []
    with pytest.raises(MappingError) as caught:
        parse_850(segments)
    note = caught.value.segment_errors[0]
    assert note.segment_id == where[0]
    assert [e.position for e in note.elements] == ([where[1]] if where[1] else [])
    assert words in caught.value.reason
