"""One at a time per key: a message waits while another delivery with the same message id is in progress.

The idempotency check runs before a delivery and the record after it, so two copies of one message taken
at the same moment (a source that sent it twice, a publish repeated after a lost confirm) would both pass the
check. Holding the second copy until the first is settled makes its check see the first's record.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Hashable
from contextlib import asynccontextmanager


class KeyLock:
    def __init__(self) -> None:
        self._busy: dict[Hashable, asyncio.Event] = {}

    @asynccontextmanager
    async def hold(self, key: Hashable) -> AsyncIterator[None]:
        while (other := self._busy.get(key)) is not None:
            await other.wait()
        done = self._busy[key] = asyncio.Event()
        try:
            yield
        finally:
            del self._busy[key]
            done.set()

    def __len__(self) -> int:
        return len(self._busy)
