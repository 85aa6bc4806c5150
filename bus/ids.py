"""New message ids: time-ordered UUIDs (version 7, RFC 9562).

The store indexes journal entries and delivery records by message id. Random ids (version 4) land anywhere in
those indexes, so each new row touches pages all over them, and the more so the larger the tables grow. A
version 7 id starts with its creation time in milliseconds, so new ids sort after older ones and the indexes
grow at one end; their text form sorts the same way. The last 62 bits are random, so ids made in different
processes at the same moment do not collide.

Within one process ids strictly increase: the 12 bits after the milliseconds hold the fraction of the
millisecond (RFC 9562, method 3), and an id that would not sort after the last one (two in the same tick, or the
clock set back) is the last one plus one instead (method 2).
"""

from __future__ import annotations

import os
import threading
import time
import uuid

_RANDOM_BITS = 62
_FRACTION_BITS = 12
_AFTER_MILLIS = _FRACTION_BITS + _RANDOM_BITS
_VERSION_AND_VARIANT = (0x7 << 76) | (0b10 << 62)

_lock = threading.Lock()
_last = 0
"""The last id's timestamp, fraction and random bits as one number (the layout without version and variant)."""


def new_message_id() -> uuid.UUID:
    """A new version 7 UUID, later in sort order than every id this process made before."""
    global _last
    millis, nanos = divmod(time.time_ns(), 1_000_000)
    fraction = nanos * (1 << _FRACTION_BITS) // 1_000_000
    random = int.from_bytes(os.urandom(8)) >> (64 - _RANDOM_BITS)
    value = (millis << _AFTER_MILLIS) | (fraction << _RANDOM_BITS) | random
    with _lock:
        if value <= _last:
            value = _last + 1
        _last = value
    return uuid.UUID(int=_with_version(value))


def _with_version(value: int) -> int:
    """The 122 bits of ``value`` laid out around the version (7) and variant (RFC 9562) bits."""
    millis = value >> _AFTER_MILLIS
    fraction = (value >> _RANDOM_BITS) & ((1 << _FRACTION_BITS) - 1)
    random = value & ((1 << _RANDOM_BITS) - 1)
    return (millis << 80) | (fraction << 64) | random | _VERSION_AND_VARIANT
