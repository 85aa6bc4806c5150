"""SAP field values: numbers and moments read once and looked up after, cutters, time units."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from transformers.idoc import values
from transformers.idoc.maps.base import common_time_unit
from transformers.idoc.segments import BUILTIN_SEGMENTS
from transformers.idoc.values import ValueFormatError, parse_datetime, parse_decimal


@pytest.mark.parametrize(
    ("text", "number"),
    [("250.000", Decimal("250.000")), ("12.5-", Decimal("-12.5")), (" 7", Decimal(7)), ("", None), ("  ", None)],
)
def test_a_number_reads_the_same_every_time(text: str, number: Decimal | None) -> None:
    first, second = parse_decimal(text), parse_decimal(text)
    assert first == second == number and str(first) == str(second) == str(number)


@pytest.mark.parametrize("text", ["1E3", "12,5", "--1", "NaN", "1.2.3"])
def test_a_bad_number_fails_every_time_naming_its_field(text: str) -> None:
    for _ in range(2):
        with pytest.raises(ValueFormatError, match="is not a number") as failure:
            parse_decimal(text, "GAMNG")
        assert failure.value.field == "GAMNG"


def test_a_moment_keeps_the_zone_it_was_read_in() -> None:
    plus_two, also_plus_two = timezone(timedelta(hours=2)), timezone(timedelta(hours=2))

    for zone in (plus_two, also_plus_two, UTC, ZoneInfo("Europe/Berlin"), plus_two):
        moment = parse_datetime("20261201", "061500", zone)
        assert moment == datetime(2026, 12, 1, 6, 15, tzinfo=zone) and moment.tzinfo is zone
    assert parse_datetime("20261201", "240000", UTC) == datetime(2026, 12, 2, tzinfo=UTC)
    assert parse_datetime("", "061500", UTC) is None


def test_a_bad_moment_fails_every_time_naming_its_field() -> None:
    for _ in range(2):
        with pytest.raises(ValueFormatError, match="not a time of day") as failure:
            parse_datetime("20261201", "256000", UTC, "GSTRS/GSUZS")
        assert failure.value.field == "GSTRS/GSUZS"


def test_the_values_remembered_stay_bounded() -> None:
    for n in range(3 * values._MEMO_SIZE):
        parse_decimal(f"{n}.000")
        parse_datetime(f"2026{1 + n % 12:02d}{1 + n % 28:02d}", f"{n % 24:02d}{n % 60:02d}00", UTC)
    assert len(values._DECIMALS) <= values._MEMO_SIZE and len(values._MOMENTS) <= values._MEMO_SIZE
    assert parse_decimal(f"{3 * values._MEMO_SIZE}.5") == Decimal(3 * values._MEMO_SIZE) + Decimal("0.5")


def test_cutters_are_built_once_per_tuple_of_names() -> None:
    layout = BUILTIN_SEGMENTS["E1RESBL"]
    record = layout.join({"POSNR": "0010", "MATNR": "RM-1", "BDMNG": "2.500"})
    names = ("BDMNG", "POSNR", "NOT_A_FIELD")

    cutter = layout.cutters[names]
    assert layout.cutter(names) is cutter and layout.cutters[names] is cutter
    assert [value.rstrip() for value in cutter(record)] == ["2.500", "0010", ""]


@pytest.mark.parametrize(
    ("units", "unit"),
    [(["MIN", "MIN", "MIN"], "MIN"), (["h", "h", "h"], "H"), (["", "", ""], "MIN"), (["H", "", "H"], "H"), ([], "MIN")],
)
def test_times_in_one_unit_keep_it(units: list[str], unit: str) -> None:
    numbers = [Decimal(1)] * len(units)
    assert common_time_unit(numbers, units) == (numbers, unit)


def test_times_in_different_units_are_given_in_minutes() -> None:
    assert common_time_unit([Decimal("0.5"), Decimal(30), None], ["H", "MIN", "D"]) == (
        [Decimal(30), Decimal(30), None],
        "MIN",
    )
    with pytest.raises(ValueFormatError, match="XYZ is no time unit"):
        common_time_unit([Decimal(1), Decimal(2)], ["H", "XYZ"])
