"""The realistic sample files in tests/data/edifact, read field by field; also the helpers the other EDIFACT test
modules share (sample files, canonical messages to generate from, a one-call check)."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from bus.canonical import PurchaseOrderIssued, ShipmentNoticeReceived
from transformers.edifact import EdifactReading, InterchangeOutcome, Party, parse_contrl, parse_desadv, parse_orders

DATA = Path(__file__).parent / "data" / "edifact"
SUPPLIER = Party("4012345000009", "14")
BUYER = Party("4098765000002", "14")


def sample(name: str) -> bytes:
    return (DATA / name).read_bytes()


def notice(**overrides: Any) -> ShipmentNoticeReceived:
    """A shipment notice with two packs and three lines, every optional field set."""
    fields: dict[str, Any] = {
        "plant": "1000",
        "asn_number": "ASN-4711",
        "supplier_id": "SUP-88",
        "shipped_at": datetime(2026, 11, 30, 17, 0),
        "expected_delivery": datetime(2026, 12, 2, 8, 30),
        "carrier": "DHLF",
        "tracking_number": "1Z999AA10123456784",
        "packs": [
            {
                "sscc": "340123450000000029",
                "package_type": "CT",
                "gross_weight": "18.25",
                "weight_unit": "KGM",
                "lines": [
                    {
                        "line_number": 1,
                        "material": "PH-4711-A",
                        "supplier_material": "MP-88231",
                        "quantity": "40",
                        "unit": "PCE",
                        "batch": "B2611-07",
                        "purchase_order": "4500012345",
                        "purchase_order_line": "10",
                    },
                    {"line_number": 2, "material": "SEAL-12", "quantity": "200", "unit": "PCE"},
                ],
            },
            {
                "sscc": "340123450000000036",
                "lines": [{"line_number": 3, "material": "RM-CAST-88", "quantity": "12.5", "unit": "KGM"}],
            },
        ],
    }
    fields.update(overrides)
    return ShipmentNoticeReceived(**fields)


def order(**overrides: Any) -> PurchaseOrderIssued:
    fields: dict[str, Any] = {
        "plant": "1000",
        "po_number": "4500012345",
        "supplier_id": "SUP-88",
        "buyer_id": "BUYER-1",
        "order_date": date(2026, 11, 20),
        "currency": "EUR",
        "issued_at": datetime(2026, 11, 20, 9, 25),
        "lines": [
            {
                "line_number": 10,
                "material": "PH-4711-A",
                "supplier_material": "MP-88231",
                "description": "Pump housing, machined",
                "quantity": "40",
                "unit": "PCE",
                "unit_price": "11.85",
                "delivery_date": date(2026, 12, 2),
            },
            {"line_number": 20, "material": "SEAL-12", "quantity": "200", "unit": "PCE"},
        ],
    }
    fields.update(overrides)
    return PurchaseOrderIssued(**fields)


def desadv_text(
    reference: str, asn: str = "ASN1", *, lines: int = 1, count: int | None = None, trailer: str | None = None
) -> str:
    """A valid DESADV message (UNH...UNT) with ``lines`` line items; ``count``/``trailer`` override UNT's count and
    reference."""
    body = [f"UNH+{reference}+DESADV:D:96A:UN", f"BGM+351+{asn}+9", "DTM+11:20261201:102", "NAD+SU+SUP", "NAD+ST+1000"]
    body.append("CPS+1")
    for number in range(1, lines + 1):
        body.append(f"LIN+{number}++MAT-{number}:IN")
        if number > 1:
            body.append("IMD+F++:::Lieferung gemäß Rahmenvertrag 4711/26:Anlieferung an Tor 4, Rampe B")
        body.append("QTY+12:5")
    body.append(f"UNT+{len(body) + 1 if count is None else count}+{trailer or reference}")
    return "'".join(body) + "'"


def interchange(
    *messages: str, reference: str = "REF1", count: int | None = None, trailer: str | None = None, ack: bool = False
) -> bytes:
    """UNB + ``messages`` + UNZ; ``count``/``trailer`` override UNZ's count and reference."""
    unb = f"UNB+UNOC:3+SUP:ZZ+BUY:ZZ+261201:0800+{reference}" + ("++++1" if ack else "")
    unz = f"UNZ+{len(messages) if count is None else count}+{trailer or reference}"
    return (unb + "'" + "".join(messages) + unz + "'").encode("latin-1")


def check(data: bytes, **options: Any) -> tuple[EdifactReading, list[InterchangeOutcome]]:
    reading = EdifactReading(io.BytesIO(data), **options)
    return reading, reading.check()


def test_desadv_sample_is_read_field_by_field() -> None:
    first, second = parse_desadv(sample("desadv_two_messages.edi"))

    assert (first.asn_number, first.supplier_id, first.plant) == ("ASN-2026-0815", "4012345000009", "1000")
    assert first.shipped_at == datetime(2026, 11, 30, 17, 0)  # DTM+11 wins over DTM+137
    assert first.expected_delivery == datetime(2026, 12, 2)  # DTM+132, format 102
    assert (first.carrier, first.tracking_number) == ("DHLF", "1Z999AA10123456784")
    # the pallet (CPS 2) holds no line items: the two cartons below it are the packs
    assert [pack.sscc for pack in first.packs] == ["340123450000000029", "340123450000000036"]
    carton = first.packs[0]
    assert (carton.package_type, carton.gross_weight, carton.weight_unit) == ("CT", Decimal("18.25"), "KGM")
    assert first.packs[1].gross_weight == Decimal("7.5")  # decimal comma
    line1, line2 = carton.lines
    assert (line1.line_number, line1.material, line1.supplier_material, line1.batch) == (
        1,
        "PH-4711-A",
        "MP-88231",
        "B2611-07",
    )
    assert (line1.quantity, line1.unit, line1.purchase_order, line1.purchase_order_line) == (
        Decimal(40),
        "PCE",
        "4500012345",
        "10",
    )
    assert line2.supplier_material == "D-12+4"  # released "+"
    line3 = first.packs[1].lines[0]
    assert (line3.quantity, line3.unit, line3.batch) == (Decimal("12.5"), "KGM", "CH-5521")  # batch from GIN+BX

    assert (second.plant, second.shipped_at) == ("2000", datetime(2026, 11, 30, 18, 5, 12))  # NAD+DP, DTM+137 (204)
    only = second.packs[0].lines[0]
    assert (only.material, only.unit) == ("PH-4711-B", "PCE")  # PIA IN over the LIN's EAN; pieces by default


def test_orders_sample_is_read_field_by_field() -> None:
    (purchase,) = parse_orders(sample("orders.edi"))

    assert (purchase.po_number, purchase.buyer_id, purchase.supplier_id, purchase.plant) == (
        "4500012345",
        "4098765000002",
        "4012345000009",
        "1000",
    )
    assert (purchase.order_date, purchase.issued_at, purchase.currency) == (
        date(2026, 11, 20),
        datetime(2026, 11, 20, 9, 25),
        "EUR",
    )
    first, second = purchase.lines
    assert (first.line_number, first.material, first.supplier_material) == (10, "PH-4711-A", "MP-88231")
    assert first.description == "Pumpengehäuse, bearbeitet"  # UNOC (latin-1)
    assert first.unit_price == Decimal("11.85")  # 1185 per 100 pieces
    assert first.delivery_date == date(2026, 12, 2)
    assert second.description == "O-Ring 12 x 2'5 mm, 70 Shore + FKM"
    assert (second.quantity, second.unit, second.unit_price) == (Decimal(200), "PCE", Decimal("0.42"))


def test_orders_with_non_default_service_characters() -> None:
    (purchase,) = parse_orders(sample("orders_custom_una.edi"))  # UNA|*,! ~

    assert purchase.po_number == "PO*77~A"
    assert purchase.buyer_id == "BUYER!1"
    assert purchase.supplier_id == "SUP"
    line = purchase.lines[0]
    assert (line.material, line.quantity, line.unit) == ("MAT|X", Decimal("12.5"), "KGM")
    assert line.description == "50! discount, today only"  # "!!" is "!", a lone "!" before "," is dropped


def test_contrl_sample_is_read_field_by_field() -> None:
    (contrl,) = parse_contrl(sample("contrl_partial.edi"))

    assert contrl.interchange_reference == "BUY0000312"
    assert (contrl.sender, contrl.recipient) == (BUYER, SUPPLIER)
    assert contrl.accepted and contrl.verdict.action == "7"
    (message,) = contrl.messages
    assert (message.reference, str(message.identifier), message.verdict.action) == ("ORD2", "ORDERS:D:96A:UN", "4")
    missing, invalid = message.segments
    assert (missing.position, missing.code, missing.elements) == (19, "13", ())
    assert invalid.position == 23 and invalid.code == ""
    assert [(e.code, e.position.element, e.position.component) for e in invalid.elements] == [
        ("12", 2, 2),
        ("12", 3, None),
    ]


def test_samples_are_accepted_whole() -> None:
    for name in ("desadv_two_messages.edi", "orders.edi", "orders_custom_una.edi", "contrl_partial.edi"):
        _, outcomes = check(sample(name))
        assert [(outcome.accepted, outcome.reasons) for outcome in outcomes] == [(True, [])], name


def test_interchange_header_of_a_sample() -> None:
    _, (outcome,) = check(sample("desadv_two_messages.edi"))
    header = outcome.header

    assert header is not None
    assert (header.syntax_id, header.syntax_version, header.control_reference) == ("UNOC", "3", "SUP00000471")
    assert (header.sender, header.recipient) == (SUPPLIER, BUYER)
    assert header.prepared_at == datetime(2026, 11, 30, 17, 45)
    assert header.acknowledgement_requested and header.una_present and not header.test
