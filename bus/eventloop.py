"""The event loop ``esb run`` runs on: uvloop where it is installed (it is a dependency on Linux), else asyncio's.

uvloop runs the same asyncio code with the loop's bookkeeping in C; for the route engine, which spends much
of each message in that bookkeeping, it is the single largest saving. ``ESB_EVENT_LOOP=asyncio`` runs on the
standard loop instead.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any, Literal, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
LoopChoice = Literal["auto", "uvloop", "asyncio"]


class LoopUnavailable(RuntimeError):
    pass


def loop_factory(choice: LoopChoice) -> tuple[str, Callable[[], asyncio.AbstractEventLoop]]:
    """The name and factory of the loop to run on."""
    if choice != "asyncio":
        try:
            import uvloop
        except ImportError:
            if choice == "uvloop":
                raise LoopUnavailable("ESB_EVENT_LOOP=uvloop but uvloop is not installed") from None
        else:
            return "uvloop", uvloop.new_event_loop
    return "asyncio", asyncio.new_event_loop


def run(main: Coroutine[Any, Any, T], choice: LoopChoice = "auto") -> T:
    name, factory = loop_factory(choice)
    log.info("event loop: %s", name)
    with asyncio.Runner(loop_factory=factory) as runner:
        return runner.run(main)
