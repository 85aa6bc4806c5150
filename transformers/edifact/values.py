"""Data element values: DTM dates and times (code list 2379) and numbers with either decimal mark.

Parsing is hand-written rather than ``strptime``-based: it runs for every DTM of every message.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

_NUMBER = re.compile(r"-?(?:\d+(?:[.,]\d*)?|[.,]\d+)")
_ZONE = re.compile(r"([+-])(\d{2})(\d{2})?")
_UTC_NAMES = {"UTC", "GMT", "Z", "UT"}

DATE_FORMATS = {"101": 6, "102": 8, "201": 10, "202": 12, "203": 12, "204": 14}
"""Format codes without time zone, with the length of their text."""


def parse_number(text: str) -> str:
    """``text`` as a plain decimal string ("12,5" -> "12.5"); ValueError when it is not a number.

    EDIFACT numbers have no exponent, no thousands separators and either decimal mark.
    """
    if text.isdigit() and text.isascii():
        return text
    if not _NUMBER.fullmatch(text):
        raise ValueError(f"{text!r} is not a number")
    return text.replace(",", ".")


def parse_decimal(text: str) -> Decimal:
    return Decimal(parse_number(text))


def _zone(text: str) -> timezone:
    if text.upper() in _UTC_NAMES:
        return UTC
    match = _ZONE.fullmatch(text)
    if not match:
        raise ValueError(f"unknown time zone {text!r}")
    sign, hours, minutes = match.groups()
    offset = timedelta(hours=int(hours), minutes=int(minutes or 0))
    return timezone(-offset if sign == "-" else offset)


def parse_datetime(text: str, fmt: str = "") -> datetime:
    """A DTM value (C507 2380) in format ``fmt`` (2379) as a datetime; ValueError when it does not parse.

    Supported: 101, 102, 201, 202, 203, 204 (naive) and 205, 303, 304 (with time zone). Without a format code
    the length decides between 102, 203 and 204.
    """
    if not fmt:
        fmt = {8: "102", 12: "203", 14: "204"}.get(len(text), "")
    zone: timezone | None = None
    digits = text
    if fmt in ("205", "303", "304"):
        split = 12 if fmt in ("205", "303") else 14
        digits, zone = text[:split], _zone(text[split:])
        fmt = "203" if split == 12 else "204"
    length = DATE_FORMATS.get(fmt)
    if length is None:
        raise ValueError(f"date/time format {fmt!r} is not supported")
    if len(digits) != length or not (digits.isdigit() and digits.isascii()):
        raise ValueError(f"{text!r} does not match date/time format {fmt}")
    if fmt in ("101", "201", "202"):
        year = int(digits[:2])
        digits = str(year + (2000 if year < 70 else 1900)) + digits[2:]
    hour = int(digits[8:10]) if len(digits) >= 12 else 0
    minute = int(digits[10:12]) if len(digits) >= 12 else 0
    second = int(digits[12:14]) if len(digits) >= 14 else 0
    return datetime(int(digits[:4]), int(digits[4:6]), int(digits[6:8]), hour, minute, second, tzinfo=zone)


def parse_date(text: str, fmt: str = "") -> date:
    """A DTM value as a date (a date-time format keeps only its date part)."""
    return parse_datetime(text, fmt).date()


def format_datetime(value: datetime) -> tuple[str, str]:
    """``(text, format code)`` for a datetime: 203/204 when naive, 205 or 304 (in UTC) when aware.

    Sub-second precision has no EDIFACT format and is dropped.
    """
    if value.tzinfo is None or value.utcoffset() is None:
        if value.second:
            return value.strftime("%Y%m%d%H%M%S"), "204"
        return value.strftime("%Y%m%d%H%M"), "203"
    offset = value.utcoffset() or timedelta(0)
    if not value.second and not offset.seconds % 60:
        minutes = int(offset.total_seconds()) // 60
        sign = "-" if minutes < 0 else "+"
        hours, mins = divmod(abs(minutes), 60)
        return f"{value.strftime('%Y%m%d%H%M')}{sign}{hours:02d}{mins:02d}", "205"
    return value.astimezone(UTC).strftime("%Y%m%d%H%M%S") + "UTC", "304"


def format_date(value: date) -> tuple[str, str]:
    """``(CCYYMMDD, "102")`` for a date."""
    return value.strftime("%Y%m%d"), "102"
