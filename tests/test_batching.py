"""The batch runner: where a batch runs (the loop's thread or the worker thread) and that every caller gets
its own result."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Sequence

from bus.batching import BUSY_ROUND, BatchRunner


class Doubler:
    """Doubles numbers and notes which thread did each batch."""

    def __init__(self) -> None:
        self.threads: list[str] = []

    def handle(self, items: Sequence[int]) -> list[int]:
        self.threads.append(threading.current_thread().name)
        return [2 * item for item in items]


async def test_a_lone_small_batch_runs_on_the_loops_thread():
    doubler = Doubler()
    runner = BatchRunner("test", doubler.handle, inline=doubler.handle)
    try:
        assert await runner.submit(21) == 42
        assert await runner.submit(4) == 8
    finally:
        await runner.close()
    assert doubler.threads == [threading.current_thread().name] * 2


async def test_batches_go_to_the_worker_thread_while_the_loop_is_busy():
    doubler = Doubler()
    runner = BatchRunner("test", doubler.handle, inline=doubler.handle)
    busy = asyncio.Event()

    async def keep_the_loop_busy() -> None:
        while not busy.is_set():
            started = time.perf_counter()
            while time.perf_counter() - started < 3 * BUSY_ROUND:
                pass
            await asyncio.sleep(0)

    worker = asyncio.create_task(keep_the_loop_busy())
    try:
        results = [await runner.submit(n) for n in range(5)]
    finally:
        busy.set()
        await worker
        await runner.close()
    assert results == [0, 2, 4, 6, 8]
    assert doubler.threads and all(name.startswith("esb-test") for name in doubler.threads)


async def test_every_caller_gets_its_own_result_from_a_shared_batch():
    doubler = Doubler()
    runner = BatchRunner("test", doubler.handle, inline=doubler.handle, inline_max=4)
    try:
        results = await asyncio.gather(*(runner.submit(n) for n in range(50)))
    finally:
        await runner.close()
    assert results == [2 * n for n in range(50)]
    assert len(doubler.threads) < 50
