"""Two copies of one message are handled one after the other, different messages side by side."""

from __future__ import annotations

import asyncio

from bus.keylock import KeyLock


async def test_same_key_waits_for_the_first_to_finish():
    lock = KeyLock()
    events: list[str] = []

    async def handle(name: str, key: str, pause: float) -> None:
        async with lock.hold(key):
            events.append(f"{name} start")
            await asyncio.sleep(pause)
            events.append(f"{name} end")

    await asyncio.gather(handle("first", "m-1", 0.05), handle("copy", "m-1", 0), handle("other", "m-2", 0.01))
    assert events.index("copy start") > events.index("first end")
    assert events.index("other start") < events.index("first end")
    assert len(lock) == 0


async def test_a_failure_releases_the_key():
    lock = KeyLock()

    async def fail() -> None:
        async with lock.hold("m-1"):
            raise RuntimeError("delivery failed")

    results = await asyncio.gather(fail(), asyncio.wait_for(_take(lock, "m-1"), 1), return_exceptions=True)
    assert isinstance(results[0], RuntimeError) and results[1] == "taken"


async def _take(lock: KeyLock, key: str) -> str:
    async with lock.hold(key):
        return "taken"


async def test_several_copies_take_the_key_one_at_a_time():
    lock = KeyLock()
    holding: list[int] = []
    most_at_once = 0

    async def handle(copy: int) -> None:
        nonlocal most_at_once
        async with lock.hold("m-1"):
            holding.append(copy)
            most_at_once = max(most_at_once, len(holding))
            await asyncio.sleep(0.01)
            holding.remove(copy)

    await asyncio.wait_for(asyncio.gather(*(handle(n) for n in range(4))), 2)
    assert most_at_once == 1
    assert len(lock) == 0
