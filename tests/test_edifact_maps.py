"""DESADV and ORDERS (D.96A) in both directions: round trips, the standard's segment table, mapping errors."""

from __future__ import annotations

import random
import string
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from bus.canonical import PurchaseOrderIssued, ShipmentNoticeReceived
from tests.test_edifact_samples import BUYER, SUPPLIER, check, notice, order
from transformers.edifact import (
    Delimiters,
    EdifactMappingError,
    SyntaxErrorCode,
    generate_desadv,
    generate_orders,
    parse_desadv,
    parse_orders,
)
from transformers.edifact.desadv import DESADV
from transformers.edifact.orders import ORDERS
from transformers.edifact.tokenizer import tokenize
from transformers.edifact.writer import SegmentData, build_interchange

TEXT = string.ascii_letters + string.digits + " -./'+:?*|~!ÄÖÜßé"


def text(rng: random.Random, longest: int) -> str:
    value = "".join(rng.choice(TEXT) for _ in range(rng.randint(1, longest))).strip()
    return value or "X"


def quantity(rng: random.Random) -> Decimal:
    return Decimal(rng.randint(0, 10**9)).scaleb(-rng.randint(0, 6))


def moment(rng: random.Random) -> datetime:
    value = datetime(2026, 1, 1) + timedelta(minutes=rng.randint(0, 10**6), seconds=rng.choice([0, 0, 17]))
    zone = rng.choice([None, UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5, minutes=-30))])
    return value.replace(tzinfo=zone)


def random_notice(rng: random.Random) -> ShipmentNoticeReceived:
    def line(number: int) -> dict[str, Any]:
        return {
            "line_number": number,
            "material": text(rng, 35),
            "supplier_material": rng.choice([None, text(rng, 35)]),
            "quantity": quantity(rng),
            "unit": rng.choice(["PCE", "KGM", "EA", "MTR"]),
            "batch": rng.choice([None, text(rng, 35)]),
            "purchase_order": rng.choice([None, text(rng, 35)]),
            "purchase_order_line": rng.choice([None, str(rng.randint(1, 99999))]),
        }

    def pack() -> dict[str, Any]:
        weight = rng.choice([None, quantity(rng)])
        return {
            "sscc": rng.choice([None, "".join(rng.choice(string.digits) for _ in range(18))]),
            "package_type": rng.choice([None, "CT", "PX", "BX"]),
            "gross_weight": weight,
            "weight_unit": "KGM" if weight is not None else None,
            "lines": [line(rng.randint(1, 999999)) for _ in range(rng.randint(1, 4))],
        }

    return ShipmentNoticeReceived(
        plant=rng.choice(["1000", "PLANT_N-2"]),
        asn_number=text(rng, 35),
        supplier_id=text(rng, 35),
        shipped_at=moment(rng),
        expected_delivery=rng.choice([None, moment(rng)]),
        carrier=rng.choice([None, text(rng, 17)]),
        tracking_number=rng.choice([None, text(rng, 35)]),
        packs=[pack() for _ in range(rng.randint(1, 4))],
    )


def random_order(rng: random.Random) -> PurchaseOrderIssued:
    def line(number: int) -> dict[str, Any]:
        return {
            "line_number": number,
            "material": text(rng, 35),
            "supplier_material": rng.choice([None, text(rng, 35)]),
            "description": rng.choice(["", text(rng, 200)]),
            "quantity": quantity(rng),
            "unit": rng.choice(["PCE", "EA"]),
            "unit_price": rng.choice([None, quantity(rng)]),
            "delivery_date": rng.choice([None, date(2026, 1, 1) + timedelta(days=rng.randint(0, 900))]),
        }

    return PurchaseOrderIssued(
        plant="1000",
        po_number=text(rng, 35),
        supplier_id=text(rng, 35),
        buyer_id=text(rng, 35),
        order_date=date(2026, 1, 1) + timedelta(days=rng.randint(0, 900)),
        currency=rng.choice([None, "EUR", "USD"]),
        issued_at=rng.choice([None, moment(rng)]),
        lines=[line(n) for n in range(1, rng.randint(2, 6))],
    )


OPTIONS: list[dict[str, Any]] = [
    {},
    {"delimiters": Delimiters(component="|", element="*", decimal=",", release="!", segment="~")},
    {"syntax_version": "4"},
    {"syntax_id": "UNOW", "newline": True},
]


@pytest.mark.parametrize("options", OPTIONS)
@pytest.mark.parametrize("seed", range(8))
def test_desadv_round_trip(seed: int, options: dict[str, Any]) -> None:
    rng = random.Random(seed)
    notices = [random_notice(rng) for _ in range(3)]
    data = generate_desadv(notices, sender=SUPPLIER, recipient=BUYER, control_reference=f"R{seed}", **options)
    assert parse_desadv(data) == notices


@pytest.mark.parametrize("options", OPTIONS)
@pytest.mark.parametrize("seed", range(8))
def test_orders_round_trip(seed: int, options: dict[str, Any]) -> None:
    rng = random.Random(seed)
    orders = [random_order(rng) for _ in range(3)]
    data = generate_orders(orders, sender=BUYER, recipient=SUPPLIER, control_reference=f"R{seed}", **options)
    assert parse_orders(data) == orders


def test_generated_desadv_follows_the_d96a_layout() -> None:
    data = generate_desadv([notice()], sender=SUPPLIER, recipient=BUYER, control_reference="R1")
    tags = [segment.tag for segment in tokenize(data)]

    assert tags[:2] == ["UNB", "UNH"]
    assert tags[2:12] == ["BGM", "DTM", "DTM", "DTM", "RFF", "NAD", "NAD", "TDT", "CPS", "CPS"]
    assert tags[12:16] == ["PAC", "MEA", "PCI", "GIN"]  # SG11 with SG13/SG14 before the SG15 line items
    assert tags[-3:] == ["CNT", "UNT", "UNZ"]
    segments = {segment.tag: segment for segment in tokenize(data)}
    assert segments["GIN"].to_list() == [["GIN"], ["BJ"], ["340123450000000036"]]
    assert segments["CNT"].to_list() == [["CNT"], ["2", "3"]]


def test_generated_orders_follow_the_d96a_layout() -> None:
    data = generate_orders([order()], sender=BUYER, recipient=SUPPLIER, control_reference="R1")
    tags = [segment.tag for segment in tokenize(data)]

    assert tags[2:9] == ["BGM", "DTM", "DTM", "NAD", "NAD", "NAD", "CUX"]
    assert tags[9:16] == ["LIN", "PIA", "IMD", "QTY", "DTM", "PRI", "LIN"]
    assert tags[-5:] == ["QTY", "UNS", "CNT", "UNT", "UNZ"]


def desadv_with(change: Callable[[list[SegmentData]], None]) -> bytes:
    body = DESADV.write(notice())
    change(body)
    return build_interchange([("1", DESADV.identifier, body)], sender=SUPPLIER, recipient=BUYER, control_reference="R")


def orders_with(change: Callable[[list[SegmentData]], None]) -> bytes:
    body = ORDERS.write(order())
    change(body)
    return build_interchange([("1", ORDERS.identifier, body)], sender=BUYER, recipient=SUPPLIER, control_reference="R")


def index(body: list[SegmentData], tag: str, nth: int = 1) -> int:
    return [n for n, segment in enumerate(body) if segment[0] == tag][nth - 1]


def rejection(data: bytes) -> list[tuple[SyntaxErrorCode, str | None, int | None, int | None, int | None]]:
    _, (outcome,) = check(data)
    assert outcome.accepted and outcome.published_count == 0
    (message,) = outcome.rejected_messages
    return [(e.code, e.segment_tag, e.segment_position, e.element, e.component) for e in message.errors]


def test_segment_out_of_place() -> None:
    data = orders_with(lambda body: body.insert(1, ("FOO", "1")))  # after BGM: UNH 1, BGM 2, FOO 3
    assert rejection(data) == [(SyntaxErrorCode.NOT_SUPPORTED_IN_POSITION, "FOO", 3, None, None)]


def test_segment_repeated_too_often() -> None:
    def eleven_quantities(body: list[SegmentData]) -> None:
        at = index(body, "QTY")
        body[at + 1 : at + 1] = [("QTY", ("46", "1"))] * 10  # QTY is C 10 in SG25

    (error,) = rejection(orders_with(eleven_quantities))
    assert error[:2] == (SyntaxErrorCode.TOO_MANY_REPETITIONS, "QTY")


def test_mandatory_segment_missing() -> None:
    (error,) = rejection(orders_with(lambda body: body.pop(index(body, "UNS"))))
    assert error[:2] == (SyntaxErrorCode.MISSING, "UNS")


def test_line_without_despatch_quantity() -> None:
    data = desadv_with(lambda body: body.pop(index(body, "QTY")))
    lin = index(DESADV.write(notice()), "LIN") + 2  # position in the message: UNH is 1
    assert rejection(data) == [(SyntaxErrorCode.MISSING, "QTY", lin, None, None)]
    _, (outcome,) = check(data)
    assert "despatch quantity (QTY+12) of line 1 is missing" in outcome.reasons[0]


@pytest.mark.parametrize(
    ("dtm", "code", "component"),
    [
        (("DTM", ("11", "20261341", "102")), SyntaxErrorCode.INVALID_VALUE, 2),
        (("DTM", ("11", "20261201", "718")), SyntaxErrorCode.VALUE_NOT_SUPPORTED, 3),
        (("DTM", ("11", "", "102")), SyntaxErrorCode.MISSING, 2),
    ],
)
def test_bad_despatch_date(dtm: SegmentData, code: SyntaxErrorCode, component: int) -> None:
    def change(body: list[SegmentData]) -> None:
        body[index(body, "DTM", 2)] = dtm

    assert rejection(desadv_with(change)) == [(code, "DTM", 4, 1, component)]


def test_plant_is_required() -> None:
    data = desadv_with(lambda body: body.pop(index(body, "NAD", 2)))
    (error,) = rejection(data)
    assert error[:2] == (SyntaxErrorCode.MISSING, "NAD")


def test_one_sscc_per_package() -> None:
    data = desadv_with(lambda body: body.insert(index(body, "GIN") + 1, ("GIN", "BJ", "340123450000000043")))
    (error,) = rejection(data)
    assert error[:2] == (SyntaxErrorCode.VALUE_NOT_SUPPORTED, "GIN")


@pytest.mark.parametrize(("sscc", "accepted"), [("34012345000000004", False), ("00340123450000000043", True)])
def test_sscc_must_be_18_digits(sscc: str, accepted: bool) -> None:
    def change(body: list[SegmentData]) -> None:
        body[index(body, "GIN")] = ("GIN", "BJ", sscc)

    reading, (outcome,) = check(desadv_with(change))
    assert not outcome.rejected_messages == accepted
    if accepted:  # the GS1 application identifier "00" in front is dropped
        (decoded,) = reading.messages()
        assert decoded.payload.packs[0].sscc == "340123450000000043"


def test_values_the_canonical_model_refuses_are_reported_at_their_segment() -> None:
    def change(body: list[SegmentData]) -> None:
        body[index(body, "QTY")] = ("QTY", ("12", "-5", "PCE"))

    (error,) = rejection(desadv_with(change))
    assert error[:3] == (SyntaxErrorCode.INVALID_VALUE, "LIN", index(DESADV.write(notice()), "LIN") + 2)
    _, (outcome,) = check(desadv_with(change))
    assert "quantity: Input should be greater than or equal to 0" in outcome.reasons[0]


def test_line_number_must_be_a_number() -> None:
    def change(body: list[SegmentData]) -> None:
        body[index(body, "LIN")] = ("LIN", "1A", None, ("PH-4711-A", "IN"))

    (error,) = rejection(desadv_with(change))
    assert (error[0], error[1], error[3], error[4]) == (SyntaxErrorCode.INVALID_VALUE, "LIN", 1, None)


def test_unit_price_basis() -> None:
    def change(body: list[SegmentData]) -> None:
        body[index(body, "PRI")] = ("PRI", ("AAA", "2500", None, None, "1000", "PCE"))

    (purchase,) = parse_orders(orders_with(change))
    assert purchase.lines[0].unit_price == Decimal("2.5")


@pytest.mark.parametrize(
    ("payload", "why"),
    [
        (notice(asn_number="A" * 36), "ASN number"),
        (
            notice(
                packs=[
                    {
                        "gross_weight": "1",
                        "lines": [{"line_number": 1, "material": "M", "quantity": "1", "unit": "PCE"}],
                    }
                ]
            ),
            "gross weight needs its unit",
        ),
        (notice(packs=[{"lines": [{"line_number": 1, "material": "M", "quantity": "1", "unit": "PIECES"}]}]), "unit"),
        (
            notice(
                packs=[{"lines": [{"line_number": 1, "material": "M", "quantity": "123456789012.1234", "unit": "PCE"}]}]
            ),
            "more than the 15 digits",
        ),
    ],
)
def test_generation_refuses_what_edifact_cannot_carry(payload: ShipmentNoticeReceived, why: str) -> None:
    with pytest.raises(EdifactMappingError) as raised:
        generate_desadv([payload], sender=SUPPLIER, recipient=BUYER, control_reference="R")
    assert why in str(raised.value)


def test_generators_take_their_own_canonical_type() -> None:
    with pytest.raises(TypeError):
        generate_orders([notice()], sender=BUYER, recipient=SUPPLIER, control_reference="R")  # type: ignore[list-item]
