"""SAP's external formats for IDoc field values: dates, times, decimal numbers, numbers with leading zeros, flags.

Dates are ``YYYYMMDD`` (blank or ``00000000`` for none), times ``HHMMSS`` (``240000`` is the end of the day),
decimals use a point and may carry the sign at the end (``12.500-``). Document numbers that are all digits are
stored with leading zeros (SAP's ALPHA conversion): ``100012345`` is ``000100012345`` in a 12-character field.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from typing import Any

_DECIMAL = re.compile(r"([+-]?)(\d+(?:\.\d*)?|\.\d+)(-?)")
_MIDNIGHT = time()

_MEMO_SIZE = 256
"""Values remembered per kind (forgotten all at once when full): the same quantities, dates and times recur
through a file, and reading them again costs more than looking them up. Values are immutable, so messages
can share them."""
_MEMO_TEXT = 24
"""Longer texts are read each time (they are not values from a fixed-width field)."""
_DECIMALS: dict[str, Decimal] = {}
_MOMENTS: dict[tuple[str, str, int], datetime] = {}


def _remember(memo: dict[Any, Any], key: object, value: object) -> None:
    if len(memo) >= _MEMO_SIZE:
        memo.clear()
    memo[key] = value


class ValueFormatError(ValueError):
    """A field value is not in the SAP format its field needs; ``field`` names the field when the caller said."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def _digits(text: str) -> bool:
    """Only ASCII digits, at least one (``isdigit`` alone takes other scripts' digits too)."""
    return text.isdigit() and text.isascii()


def parse_date(text: str, field: str | None = None) -> date | None:
    """``20261201`` -> 2026-12-01; blank or ``00000000`` -> None."""
    if not text or text == "00000000":
        return None
    if len(text) != 8 or not _digits(text):
        raise ValueFormatError(f"{text!r} is not a date (YYYYMMDD)", field)
    try:
        return date.fromisoformat(text)  # eight ASCII digits: read as YYYYMMDD
    except ValueError:
        raise ValueFormatError(f"{text!r} is not a calendar date", field) from None


def parse_datetime(date_text: str, time_text: str, tz: tzinfo, field: str | None = None) -> datetime | None:
    """A date field and a time field read as one moment in ``tz``; None when the date is blank."""
    key = (date_text, time_text, id(tz))  # the moment refers to ``tz``, so the id stays ``tz``'s while remembered
    moment = _MOMENTS.get(key)
    if moment is None:
        moment = _read_datetime(date_text, time_text, tz, field)
        if moment is not None and len(date_text) + len(time_text) <= _MEMO_TEXT:
            _remember(_MOMENTS, key, moment)
    return moment


def _read_datetime(date_text: str, time_text: str, tz: tzinfo, field: str | None) -> datetime | None:
    day = parse_date(date_text, field)
    if day is None:
        return None
    if not time_text:
        return datetime.combine(day, _MIDNIGHT, tz)
    if len(time_text) != 6 or not _digits(time_text):
        raise ValueFormatError(f"{time_text!r} is not a time (HHMMSS)", field)
    if time_text == "240000":
        return datetime.combine(day + timedelta(days=1), _MIDNIGHT, tz)
    try:
        moment = time.fromisoformat(time_text)  # six ASCII digits: read as HHMMSS
    except ValueError:
        raise ValueFormatError(f"{time_text!r} is not a time of day", field) from None
    return datetime.combine(day, moment, tz)


def format_date(value: date | None) -> str:
    return value.strftime("%Y%m%d") if value is not None else ""


def format_datetime(value: datetime, tz: tzinfo) -> tuple[str, str]:
    """``(YYYYMMDD, HHMMSS)`` of ``value`` seen in ``tz`` (a naive value is taken to be in ``tz`` already)."""
    local = value.astimezone(tz) if value.tzinfo is not None else value
    return local.strftime("%Y%m%d"), local.strftime("%H%M%S")


def parse_decimal(text: str, field: str | None = None) -> Decimal | None:
    """``250.000`` -> 250.000, ``12.5-`` -> -12.5; blank -> None."""
    value = _DECIMALS.get(text)
    if value is not None:
        return value
    if text.isascii() and text.replace(".", "", 1).isdigit():  # the common case: digits and a point at most
        value = Decimal(text)
        if len(text) <= _MEMO_TEXT:
            _remember(_DECIMALS, text, value)
        return value
    text = text.strip()
    if not text:
        return None
    match = _DECIMAL.fullmatch(text)
    if match is None:
        raise ValueFormatError(f"{text!r} is not a number", field)
    sign, digits, trailing = match.groups()
    if sign and trailing:
        raise ValueFormatError(f"{text!r} has two signs", field)
    value = Decimal(digits)
    return -value if sign == "-" or trailing else value


def format_decimal(value: Decimal | int | None) -> str:
    """A number in SAP's external format, without exponent; a negative number carries its sign at the end."""
    if value is None:
        return ""
    value = Decimal(value)
    text = f"{abs(value):f}"
    return f"{text}-" if value < 0 else text


def strip_zeros(text: str) -> str:
    """ALPHA output: ``000100012345`` -> ``100012345``; values that are not all digits stay as they are."""
    if _digits(text):
        return text.lstrip("0") or "0"
    return text


def pad_zeros(text: str, length: int) -> str:
    """ALPHA input: an all-digit value is right-aligned with leading zeros to ``length``; others stay."""
    if _digits(text) and len(text) < length:
        return text.zfill(length)
    return text


def numc(text: str) -> str | None:
    """A NUMC field as a number without leading zeros; all zeros or blank -> None."""
    stripped = strip_zeros(text)
    return None if not stripped or stripped == "0" else stripped


def flag(text: str) -> bool:
    """SAP checkbox: ``X`` is true, blank is false."""
    return text.strip().upper() == "X"
