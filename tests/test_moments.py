"""Naive points in time are read as UTC everywhere the bus stores or shows them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from bus.moments import assume_utc, in_utc

BERLIN_WINTER = timezone(timedelta(hours=1))


def test_a_naive_moment_is_the_same_wall_time_in_utc() -> None:
    assert assume_utc(datetime(2027, 3, 1, 6, 30)) == datetime(2027, 3, 1, 6, 30, tzinfo=UTC)
    assert in_utc(datetime(2027, 3, 1, 6, 30)).utcoffset() == timedelta(0)


def test_an_aware_moment_keeps_its_offset_unless_asked_for_utc() -> None:
    local = datetime(2027, 3, 1, 7, 30, tzinfo=BERLIN_WINTER)
    assert assume_utc(local).utcoffset() == timedelta(hours=1)
    assert in_utc(local) == local
    assert (in_utc(local).hour, in_utc(local).utcoffset()) == (6, timedelta(0))
