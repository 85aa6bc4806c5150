"""The adapter contract.

Outbound: ``deliver(envelope, document)`` returns when the target has the message, or raises
``TransientError`` (retry later) or ``PermanentError`` (park it). Every adapter declares a pydantic
``Settings`` model; route files are validated against it before anything starts.

Inbound adapters produce envelopes and hand them to ``AdapterContext.publish``, acknowledging their source
only after it returned (the broker confirmed).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from bus.envelope import Envelope
from transformers import Document


class AdapterSettings(BaseModel):
    """Base of adapter settings: unknown keys in a route file are errors, not silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True)
class AdapterContext:
    """What the runtime lends an adapter: its route's name and the confirmed publisher."""

    route: str
    publish: Callable[[Envelope], Awaitable[None]] | None = None


class OutboundAdapter(ABC):
    """Delivers one message at a time to a target system."""

    name: ClassVar[str]
    Settings: ClassVar[type[AdapterSettings]]

    def __init__(self, settings: AdapterSettings, context: AdapterContext) -> None:
        self.settings = settings
        self.context = context

    async def start(self) -> None:  # noqa: B027 - optional hook
        """Open connections or sessions before the first delivery."""

    @abstractmethod
    async def deliver(self, envelope: Envelope, document: Document) -> None:
        """Hand the document to the target; raise ``TransientError`` or ``PermanentError`` on failure."""

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Release what ``start`` opened."""
