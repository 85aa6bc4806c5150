"""Builders shared by the X12 tests: canonical messages, interchanges, and an independent splitter for checking
what the codec wrote without using the codec's own reader."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

from bus.canonical import PurchaseOrderIssued, ShipmentNoticeReceived
from transformers.decoding import Decoded
from transformers.x12 import InterchangeOutcome, Separators, X12Reading, generate_850, generate_856

DATA = Path(__file__).parent / "data" / "x12"
SUPPLIER = ("ZZ", "ACMESUPPLY")
PLANT = ("ZZ", "PLANT1000")
WHEN = datetime(2024, 3, 1, 14, 30)


def sample(name: str) -> bytes:
    return (DATA / name).read_bytes()


def notice(asn_number: str = "ASN-2024-0042", **changes: object) -> ShipmentNoticeReceived:
    """A shipment of two orders in three packs, one pack mixing orders, one line without an order."""
    fields: dict[str, object] = {
        "plant": "1000",
        "asn_number": asn_number,
        "supplier_id": "V100234",
        "shipped_at": datetime(2024, 3, 1, 14, 15, tzinfo=UTC),
        "expected_delivery": datetime(2024, 3, 4, 6, 0, tzinfo=timezone(timedelta(hours=1))),
        "carrier": "ODFL",
        "tracking_number": "PRO-5512093",
        "packs": [
            {
                "sscc": "003401234500000018",
                "package_type": "CTN25",
                "gross_weight": Decimal("20.5"),
                "weight_unit": "KG",
                "lines": [
                    _line(10, "MAT-100200", "120", "EA", "4500012345", supplier_material="AC-7781", batch="L1"),
                    _line(20, "MAT-100300", "2.5", "KG", "4500012345", purchase_order_line="00020"),
                ],
            },
            {
                "sscc": "003401234500000025",
                "lines": [_line(30, "MAT-100400", "48", "EA", "4500012345")],
            },
            {
                "package_type": "PLT94",
                "lines": [
                    _line(40, "MAT-200100", "0.125", "EA", "4500012399", batch="L240229-07"),
                    _line(50, "MAT-200200", "1000", "EA", None),
                ],
            },
        ],
    }
    fields.update(changes)
    return ShipmentNoticeReceived.model_validate(fields)


def _line(number: int, material: str, quantity: str, unit: str, order: str | None, **extra: str) -> dict[str, object]:
    return {
        "line_number": number,
        "material": material,
        "quantity": quantity,
        "unit": unit,
        "purchase_order": order,
        **extra,
    }


def order(po_number: str = "4500012345", **changes: object) -> PurchaseOrderIssued:
    fields: dict[str, object] = {
        "plant": "1000",
        "po_number": po_number,
        "supplier_id": "V100234",
        "buyer_id": "CUST-778",
        "order_date": date(2024, 2, 15),
        "currency": "EUR",
        "issued_at": datetime(2024, 2, 15, 9, 5, 12, tzinfo=UTC),
        "lines": [
            {
                "line_number": 10,
                "material": "MAT-100200",
                "supplier_material": "AC-7781",
                "description": "Hex bolt M8x40 zinc",
                "quantity": "120",
                "unit": "EA",
                "unit_price": "0.85",
                "delivery_date": date(2024, 3, 4),
            },
            {"line_number": 20, "material": "MAT-100300", "quantity": "2.5", "unit": "KG"},
        ],
    }
    fields.update(changes)
    return PurchaseOrderIssued.model_validate(fields)


def asn_interchange(*notices: ShipmentNoticeReceived, control_number: int = 4711, **options: object) -> bytes:
    """An interchange from the supplier to the plant with one 856 per notice."""
    return generate_856(
        notices or (notice(),), sender=SUPPLIER, receiver=PLANT, control_number=control_number, when=WHEN, **options
    )


def po_interchange(*orders: PurchaseOrderIssued, control_number: int = 1201, **options: object) -> bytes:
    """An interchange from the plant to the supplier with one 850 per order."""
    return generate_850(
        orders or (order(),), sender=PLANT, receiver=SUPPLIER, control_number=control_number, when=WHEN, **options
    )


def read(data: bytes, **options: object) -> tuple[list[InterchangeOutcome], list[Decoded]]:
    reading = X12Reading(io.BytesIO(data), **options)  # type: ignore[arg-type]
    outcomes = reading.check()
    return outcomes, list(reading.messages())


def split(data: bytes) -> list[list[str]]:
    """The segments of an interchange, split with the separators its ISA declares (line breaks dropped)."""
    text = data.decode()
    element, terminator = text[3], text[105]
    return [s.lstrip("\r\n").split(element) for s in text.split(terminator) if s.strip("\r\n")]


def join(segments: list[list[str]], separators: Separators, newline: str = "") -> bytes:
    """Segments as interchange text (the ISA must already be padded)."""
    return "".join(separators.element.join(s) + separators.segment + newline for s in segments).encode()


def replace_segment(data: bytes, index: int, *replacement: list[str], newline: str = "") -> bytes:
    """``data`` with segment ``index`` (0 = ISA) replaced by ``replacement`` (none: removed)."""
    segments = split(data)
    segments[index : index + 1] = list(replacement)
    text = data.decode()
    separators = Separators(text[3], text[104], text[105])
    return join(segments, separators, newline)


def find(segments: list[list[str]], tag: str, start: int = 0) -> int:
    return next(i for i, s in enumerate(segments) if s[0] == tag and i >= start)
