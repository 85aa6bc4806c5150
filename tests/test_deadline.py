"""A shared deadline cancels what runs past it, as ``asyncio.timeout`` would, and nothing else."""

from __future__ import annotations

import asyncio

import pytest

from bus.deadline import Deadline


async def test_an_operation_past_the_deadline_gets_timeout_error():
    deadline = Deadline(0.05, sweep_every=0.01)

    async def slow() -> None:
        with deadline.watch():
            await asyncio.sleep(5)

    with pytest.raises(TimeoutError, match=r"still running after 0\.05s"):
        await asyncio.wait_for(slow(), 2)
    deadline.close()


async def test_operations_within_the_deadline_are_left_alone():
    deadline = Deadline(0.2, sweep_every=0.01)

    async def quick(pause: float) -> str:
        with deadline.watch():
            await asyncio.sleep(pause)
        await asyncio.sleep(0.05)  # the sweeps go on meanwhile
        return "done"

    assert await asyncio.gather(*(quick(0.01 * n) for n in range(5))) == ["done"] * 5
    deadline.close()


async def test_only_the_overdue_ones_are_cancelled():
    deadline = Deadline(0.1, sweep_every=0.01)

    async def run(pause: float) -> str:
        try:
            with deadline.watch():
                await asyncio.sleep(pause)
        except TimeoutError:
            return "timed out"
        return "done"

    outcomes = await asyncio.gather(run(1), run(0.02), run(1))
    assert outcomes == ["timed out", "done", "timed out"]
    deadline.close()


async def test_a_cancellation_from_elsewhere_passes_through():
    deadline = Deadline(10, sweep_every=0.01)
    entered = asyncio.Event()

    async def watched() -> None:
        with deadline.watch():
            entered.set()
            await asyncio.sleep(5)

    task = asyncio.create_task(watched())
    await entered.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    deadline.close()


async def test_the_sweep_stops_when_nothing_is_watched():
    deadline = Deadline(10, sweep_every=0.01)
    with deadline.watch():
        await asyncio.sleep(0)
    await asyncio.sleep(0.05)
    assert not deadline.sweeping
