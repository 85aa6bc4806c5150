"""One at a time per key: a message waits while another delivery with the same message id is in progress.

The idempotency check runs before a delivery and the record after it, so two copies of one message taken
at the same moment (a source that sent it twice, a publish repeated after a lost confirm) would both pass the
check. Holding the second copy until the first is settled makes its check see the first's record.

Every delivery takes its key and copies are rare, so taking a free key costs a dictionary entry only; the
event a copy waits on is made when a copy first waits.
"""

from __future__ import annotations

import asyncio
from collections.abc import Hashable
from types import TracebackType


class KeyLock:
    def __init__(self) -> None:
        self._busy: dict[Hashable, asyncio.Event | None] = {}
        """Keys held; the value is the event copies wait on, once one does."""

    def hold(self, key: Hashable) -> _Held:
        """``async with lock.hold(key):`` runs its body while no other holder of ``key`` does."""
        return _Held(self._busy, key)

    def __len__(self) -> int:
        return len(self._busy)


class _Held:
    __slots__ = ("_busy", "_key")

    def __init__(self, busy: dict[Hashable, asyncio.Event | None], key: Hashable) -> None:
        self._busy = busy
        self._key = key

    async def __aenter__(self) -> None:
        busy, key = self._busy, self._key
        while key in busy:
            released = busy[key]
            if released is None:
                released = busy[key] = asyncio.Event()
            await released.wait()
        busy[key] = None

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        released = self._busy.pop(self._key)
        if released is not None:
            released.set()
