"""A deadline shared by many concurrent operations, checked by one sweep a second.

``asyncio.timeout`` arms and cancels a timer on the event loop for every operation. With one deadline of
minutes for every delivery of a route, a sweep that cancels the overdue ones costs far less per delivery and
is exact enough: an overdue operation is cancelled at most ``sweep_every`` seconds late.
"""

from __future__ import annotations

import asyncio
from types import TracebackType


class Deadline:
    """``with deadline.watch():`` raises ``TimeoutError`` if its body is still running ``seconds`` after entry.

    As with ``asyncio.timeout``, the body is cancelled; a cancellation from elsewhere passes through unchanged.
    Use within one event loop.
    """

    def __init__(self, seconds: float, *, sweep_every: float = 1.0) -> None:
        self.seconds = seconds
        self._sweep_every = sweep_every
        self._running: dict[_Watch, float] = {}
        """Watches in the order they started, which is also the order they fall due."""
        self._sweeper: asyncio.Task[None] | None = None

    @property
    def sweeping(self) -> bool:
        return self._sweeper is not None

    def watch(self) -> _Watch:
        return _Watch(self)

    def _started(self, watch: _Watch) -> None:
        loop = asyncio.get_running_loop()
        self._running[watch] = loop.time() + self.seconds
        if self._sweeper is None:
            self._sweeper = loop.create_task(self._sweep(), name="deadline-sweep")

    def _ended(self, watch: _Watch) -> None:
        del self._running[watch]

    def close(self) -> None:
        """Stop sweeping (the owner is shutting down); watches still open are no longer cancelled."""
        if self._sweeper is not None:
            self._sweeper.cancel()

    async def _sweep(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self._running:
                await asyncio.sleep(self._sweep_every)
                now = loop.time()
                for watch, due in list(self._running.items()):
                    if due > now:
                        break
                    watch.expire()
        finally:
            self._sweeper = None


class _Watch:
    __slots__ = ("_cancelling", "_deadline", "_expired", "_task")

    def __init__(self, deadline: Deadline) -> None:
        self._deadline = deadline
        self._task: asyncio.Task[object] | None = None
        self._cancelling = 0
        self._expired = False

    def __enter__(self) -> _Watch:
        self._task = asyncio.current_task()
        if self._task is None:
            raise RuntimeError("a deadline watches a task: use it inside one")
        self._cancelling = self._task.cancelling()
        self._deadline._started(self)
        return self

    def expire(self) -> None:
        if not self._expired:
            self._expired = True
            assert self._task is not None
            self._task.cancel()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._deadline._ended(self)
        if self._expired:
            assert self._task is not None
            if self._task.uncancel() <= self._cancelling and exc_type is asyncio.CancelledError:
                raise TimeoutError(f"still running after {self._deadline.seconds:g}s") from exc
