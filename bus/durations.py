"""Human durations in route files and settings: ``250ms``, ``5s``, ``2m``, ``1h``, ``7d`` (bare numbers: seconds)."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BeforeValidator

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$")
DAY = 86400.0
"""Seconds."""
_FACTORS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": DAY, None: 1.0}


def parse_duration(value: str | float | int) -> float:
    """Return the duration in seconds; raise ``ValueError`` with the accepted forms otherwise."""
    if isinstance(value, bool):
        raise ValueError(f"not a duration: {value!r}")
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        match = _DURATION.match(value)
        if not match:
            raise ValueError(f"not a duration: {value!r} (use e.g. 250ms, 5s, 2m, 1h, 7d)")
        seconds = float(match.group(1)) * _FACTORS[match.group(2)]
    if seconds <= 0:
        raise ValueError(f"a duration must be positive, got {value!r}")
    return seconds


def format_duration(seconds: float) -> str:
    """The shortest exact spelling, used in retry tier names (``esb.retry.5s``)."""
    millis = round(seconds * 1000)
    for unit, size in (("h", 3_600_000), ("m", 60_000), ("s", 1000)):
        if millis % size == 0:
            return f"{millis // size}{unit}"
    return f"{millis}ms"


def describe_duration(seconds: float) -> str:
    """For people (logs): whole days as days (``14d``), anything else as ``format_duration`` spells it.

    Retry tier names keep ``format_duration``'s spelling, which never uses days: they name broker queues."""
    days, rest = divmod(round(seconds), round(DAY))
    return f"{days}d" if days and not rest else format_duration(seconds)


Duration = Annotated[float, BeforeValidator(parse_duration)]
"""A pydantic field type for durations written as ``5s``, ``250ms``, ``2m``."""
