"""X12 data element types as text and back: DT dates, TM times, DTM time codes, and R (decimal) numbers written.

Parsing raises ``ValueError`` with a short explanation; the maps turn it into an AK4 note with the element's
position. Times with a time code become timezone-aware datetimes; without one they stay naive (local to the
partner), exactly as sent.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo


def _fixed(hours: int) -> timezone:
    return timezone(timedelta(hours=hours))


def _time_codes() -> dict[str, tzinfo | None]:
    """Code list 623: 01-12 are UTC+1..+12, 13-24 are UTC-12..-1 (ISO P01..P12, M12..M01)."""
    zones: dict[str, tzinfo | None] = {"UT": UTC, "GM": UTC, "LT": None}
    zones.update({f"{n:02d}": _fixed(n) for n in range(1, 13)})
    zones.update({f"{n:02d}": _fixed(n - 25) for n in range(13, 25)})
    zones.update({"ES": _fixed(-5), "ED": _fixed(-4), "CS": _fixed(-6), "CD": _fixed(-5)})
    zones.update({"MS": _fixed(-7), "MD": _fixed(-6), "PS": _fixed(-8), "PD": _fixed(-7)})
    for code, name in (("ET", "America/New_York"), ("CT", "America/Chicago"), ("MT", "America/Denver")):
        zones[code] = ZoneInfo(name)
    zones["PT"] = ZoneInfo("America/Los_Angeles")
    return zones


TIME_CODES: dict[str, tzinfo | None] = _time_codes()
"""DTM04 time codes this codec reads; ``LT`` (local time) reads as a naive datetime."""


def format_decimal(value: Decimal | int) -> str:
    """The shortest R text for ``value``: no exponent, no trailing zeros after the decimal point."""
    if isinstance(value, int):
        return str(value)
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def parse_date(text: str) -> date:
    """A DT element: CCYYMMDD, or YYMMDD as older versions send it (read as 20YY)."""
    if not (text.isascii() and text.isdigit()) or len(text) not in (6, 8):
        raise ValueError(f"{text!r} is not a CCYYMMDD date")
    if len(text) == 6:
        text = "20" + text
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        raise ValueError(f"{text!r} is not a calendar date") from None


def format_date(value: date) -> str:
    return f"{value.year:04d}{value.month:02d}{value.day:02d}"


def parse_time(text: str) -> time:
    """A TM element: HHMM, HHMMSS, HHMMSSD or HHMMSSDD (tenths or hundredths of a second)."""
    if not (text.isascii() and text.isdigit()) or len(text) not in (4, 6, 7, 8):
        raise ValueError(f"{text!r} is not an HHMM[SS[DD]] time")
    fraction = text[6:]
    micro = int(fraction.ljust(6, "0")) if fraction else 0
    try:
        return time(int(text[:2]), int(text[2:4]), int(text[4:6] or 0), micro)
    except ValueError:
        raise ValueError(f"{text!r} is not a time of day") from None


def format_time(value: time | datetime) -> str:
    """HHMM when there are no seconds, else HHMMSS, plus hundredths when there is a fraction (finer is cut)."""
    text = f"{value.hour:02d}{value.minute:02d}"
    if value.second or value.microsecond:
        text += f"{value.second:02d}"
    hundredths = value.microsecond // 10_000
    if hundredths:
        text += f"{hundredths:02d}"
    return text


@lru_cache(maxsize=4096)
def parse_datetime(date_text: str, time_text: str, code: str = "") -> datetime:
    """DTM02/03/04 (or BSN03/04): a date, a time (midnight when empty) and an optional time code.

    Cached: the sets of one file mostly share a few dates, and datetimes are immutable.
    """
    day = parse_date(date_text)
    clock = parse_time(time_text) if time_text else time()
    if code not in TIME_CODES and code:
        raise ValueError(f"time code {code!r} is not one of {', '.join(sorted(TIME_CODES))}")
    return datetime.combine(day, clock, tzinfo=TIME_CODES.get(code))


def split_datetime(value: datetime) -> tuple[str, str, str]:
    """A datetime as (date, time, time code): aware values are written in UTC with code ``UT``."""
    code = ""
    if value.tzinfo is not None and value.utcoffset() is not None:
        value, code = value.astimezone(UTC), "UT"
    return format_date(value), format_time(value), code


def parses(parse: Callable[[str], object], text: str) -> bool:
    """Whether ``parse`` accepts ``text``."""
    try:
        parse(text)
    except ValueError:
        return False
    return True
