"""Acknowledging settled messages together: one ``basic.ack`` with ``multiple`` covers a run of deliveries.

Delivery tags grow with each delivery on a channel. When every delivery up to tag T is settled (acked here,
or nacked and forgotten), one ``basic.ack(T, multiple=True)`` acknowledges them all, which saves the broker
and this process a frame per message. Settled messages behind a delivery still in progress are acknowledged
one by one in the same flush, so a slow delivery never holds the others' prefetch slots.

Frames of one channel are written by one task, in the order they were decided: when the connection's write
buffer is full, frames queued by separate tasks can overtake each other, and a multiple ack overtaking a
single ack it covers makes the broker close the channel ("unknown delivery tag"), so every delivery still
unacknowledged on it would come back a second time.

Acks go out at the end of the event loop's current round of callbacks. A crash before that leaves the
messages unacknowledged: the broker redelivers them and route idempotency absorbs the repeat, as for any
crash between delivery and ack.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from bus.delivery import Delivery

log = logging.getLogger(__name__)


@dataclass(slots=True)
class _ChannelAcks:
    outstanding: dict[int, None] = field(default_factory=dict)
    """Tags taken and not yet settled, in delivery order (a dict keeps insertion order)."""
    settled: list[int] = field(default_factory=list)
    """Tags to acknowledge at the next flush."""
    unsent: deque[tuple[int, bool]] = field(default_factory=deque)
    """Frames decided and not yet written: (tag, multiple), oldest first."""
    sender: asyncio.Task[None] | None = None
    """The task writing ``unsent``, while there is any."""


class AckBatcher:
    """Tracks one consumer's deliveries per AMQP channel and acknowledges settled ones in batches."""

    def __init__(self) -> None:
        self._channels: dict[Any, _ChannelAcks] = {}
        self._scheduled = False
        self.frames = 0
        """``basic.ack`` frames sent (for tests and benchmarks)."""

    def taken(self, message: Delivery) -> None:
        """Call when a delivery arrives, before anything can settle it."""
        self._state(message).outstanding[message.delivery_tag] = None

    def ack(self, message: Delivery) -> None:
        state = self._state(message)
        tag = message.delivery_tag
        state.outstanding.pop(tag, None)
        state.settled.append(tag)
        if not self._scheduled:
            self._scheduled = True
            asyncio.get_running_loop().call_soon(self._flush)

    def forget(self, message: Delivery) -> None:
        """The message was settled another way (nack, reject) or its channel is gone."""
        self._state(message).outstanding.pop(message.delivery_tag, None)

    def _state(self, message: Delivery) -> _ChannelAcks:
        channel = message.channel
        state = self._channels.get(channel)
        if state is None:
            self._drop_closed_channels()
            state = self._channels[channel] = _ChannelAcks()
        return state

    def _drop_closed_channels(self) -> None:
        """Deliveries of a closed channel are the broker's again: it redelivers them on a new one."""
        for channel in [c for c in self._channels if c.is_closed]:
            del self._channels[channel]

    def _flush(self) -> None:
        self._scheduled = False
        for channel, state in self._channels.items():
            if not state.settled or channel.is_closed:
                state.settled.clear()
                continue
            queued = len(state.unsent)
            lowest_open = next(iter(state.outstanding), None)
            covered = [t for t in state.settled if lowest_open is None or t < lowest_open]
            if covered:
                state.unsent.append((max(covered), True))
            state.unsent.extend((t, False) for t in state.settled if lowest_open is not None and t > lowest_open)
            self.frames += len(state.unsent) - queued
            state.settled.clear()
            if state.sender is None:
                state.sender = asyncio.get_running_loop().create_task(self._send(channel, state))

    @staticmethod
    async def _send(channel: Any, state: _ChannelAcks) -> None:
        try:
            while state.unsent:
                tag, multiple = state.unsent[0]
                await channel.basic_ack(tag, multiple=multiple)
                state.unsent.popleft()
        except Exception as exc:  # the channel closed: the broker redelivers these messages
            log.debug("ack of delivery %d failed: %s", tag, exc)
            state.unsent.clear()
        finally:
            state.sender = None

    async def drain(self) -> None:
        """Send what is settled now and wait until those acks are written (before closing the channel)."""
        if self._scheduled:
            self._flush()
        while senders := [state.sender for state in self._channels.values() if state.sender is not None]:
            await asyncio.gather(*senders)
