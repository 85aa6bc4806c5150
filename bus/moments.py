"""Points in time as the bus stores and shows them: timezone-aware, naive values read as UTC.

SQLite keeps no offset, and AMQP timestamps and some senders' ISO texts carry none, so a naive ``datetime``
reaching the bus is taken to be UTC rather than the local time of whichever host reads it.
"""

from __future__ import annotations

from datetime import UTC, datetime


def assume_utc(moment: datetime) -> datetime:
    """``moment`` itself when it carries an offset; a naive one as the same wall time in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def in_utc(moment: datetime) -> datetime:
    """``moment`` expressed in UTC (naive values read as UTC)."""
    return assume_utc(moment).astimezone(UTC)
