"""Run many small store operations as one batch in a worker thread, off the event loop.

Callers await their own result; a batch is flushed when it is full or when the loop has nothing else to
hand over, so a lone message pays no lingering delay and a busy route shares one transaction among many.

A handover to the thread and back costs several system calls and context switches, which at a steady
trickle of messages outweighs a small local transaction. An ``inline`` handler may therefore take small
batches on the event loop's thread itself; when it cannot do so at once (say, another writer holds the
database) it returns None or raises, and the batch goes to the thread as usual.

When the loop is busy (draining a backlog) the thread wins instead: the SQLite driver leaves Python's lock
while it works, so the thread's transactions run beside the loop on another core, and the items queued
meanwhile make its next batch larger. A round of the loop's ready callbacks longer than ``BUSY_ROUND`` is
taken as that sign.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

BUSY_ROUND = 100e-6
"""Seconds; a round of ready callbacks this long means other work is waiting (``ops/bench/route_bench.py``)."""

Item = TypeVar("Item")
Result = TypeVar("Result")


class BatchRunner(Generic[Item, Result]):
    """Queue items; ``handler(batch)`` runs in one dedicated thread and returns one result per item."""

    def __init__(
        self,
        name: str,
        handler: Callable[[Sequence[Item]], Sequence[Result]],
        max_batch: int = 500,
        on_close: Callable[[], None] | None = None,
        inline: Callable[[Sequence[Item]], Sequence[Result] | None] | None = None,
        inline_max: int = 8,
    ):
        """``on_close`` runs in the worker thread after the last batch (e.g. to close its connection);
        ``inline`` may run batches of up to ``inline_max`` items on the loop (see the module's notes)."""
        self._name = name
        self._on_close = on_close
        self._handler = handler
        self._inline = inline
        self._inline_max = inline_max
        self._max_batch = max_batch
        self._pending: list[tuple[Item, asyncio.Future[Result]]] = []
        self._wakeup = asyncio.Event()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"esb-{name}")
        self._task: asyncio.Task[None] | None = None
        self._closing = False

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name=f"batch-{self._name}")

    async def submit(self, item: Item) -> Result:
        self.start()
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._pending.append((item, future))
        self._wakeup.set()
        return await future

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await self._wakeup.wait()
            yielded = time.perf_counter()
            await asyncio.sleep(0)  # let other ready callbacks add to this batch
            loop_busy = time.perf_counter() - yielded > BUSY_ROUND
            batch, self._pending = self._pending[: self._max_batch], self._pending[self._max_batch :]
            if not self._pending:
                self._wakeup.clear()
            if not batch:
                if self._closing:
                    return
                continue
            items = [item for item, _ in batch]
            try:
                results = None if loop_busy else self._run_inline(items)
                if results is None:
                    results = await loop.run_in_executor(self._executor, self._handler, items)
            except Exception as exc:
                log.warning("%s batch of %d failed: %s", self._name, len(batch), exc)
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for (_, future), result in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(result)

    def _run_inline(self, items: list[Item]) -> Sequence[Result] | None:
        if self._inline is None or len(items) > self._inline_max:
            return None
        try:
            return self._inline(items)
        except Exception as exc:  # the thread runs the batch again and reports what fails there
            log.debug("%s: inline batch of %d failed: %s", self._name, len(items), exc)
            return None

    async def close(self) -> None:
        """Finish what was submitted, then stop the worker thread."""
        if self._task is not None:
            self._closing = True
            self._wakeup.set()
            await self._task
            self._task = None
        if self._on_close is not None:
            await asyncio.get_running_loop().run_in_executor(self._executor, self._on_close)
        self._executor.shutdown(wait=True)
