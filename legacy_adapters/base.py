"""The adapter contract.

Outbound: ``deliver(envelope, document)`` returns when the target has the message, or raises
``TransientError`` (retry later) or ``PermanentError`` (park it). Every adapter declares a pydantic
``Settings`` model; route files are validated against it before anything starts.

Inbound: an adapter receives documents from a legacy system (polls a folder, serves a SOAP endpoint), decodes
them into envelopes and hands them to ``InboundContext.publish``, acknowledging its source (archiving the
file, answering the call) only after every message of the document was confirmed by the broker.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from pydantic import BaseModel, ConfigDict

from bus.envelope import Envelope, Source
from transformers import Document

if TYPE_CHECKING:
    from aiohttp import web
    from sqlalchemy import Engine

    from bus.publisher import PublishOutcome


class AdapterSettings(BaseModel):
    """Base of adapter settings: unknown keys in a route file are errors, not silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True)
class AdapterContext:
    """What the runtime lends an outbound adapter."""

    route: str
    config_dir: Path | None = None
    """The folder of the route file: relative paths in settings (WSDLs, key files) are resolved there."""


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


PublishManyFn = Callable[[Iterable[Envelope]], Awaitable[list["PublishOutcome"]]]


@dataclass(frozen=True)
class InboundContext:
    """What the runtime lends an inbound adapter."""

    route: str
    source: Source
    """The sending system and the route's interface id, stamped on every envelope."""
    publish: PublishManyFn
    """Publish envelopes with confirms (pipelined); returns when all are confirmed, raises ``PublishFailed``."""
    store: Engine
    """The bus's store, for what an adapter must remember (files already ingested, control numbers)."""
    config_dir: Path | None = None
    """The folder of the route file: relative paths in settings (partner files, WSDLs) are resolved there."""


class InboundAdapter(ABC):
    """Receives documents from a legacy system and publishes what they hold."""

    name: ClassVar[str]
    Settings: ClassVar[type[AdapterSettings]]

    def __init__(self, settings: AdapterSettings, context: InboundContext) -> None:
        self.settings = settings
        self.context = context

    def http_routes(self) -> list[web.RouteDef]:
        """Endpoints to mount on the bus's HTTP server (called once, before it starts)."""
        return []

    async def start(self) -> None:  # noqa: B027 - optional hook
        """Start polling (background tasks) or prepare what the endpoints need."""

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Stop polling; return once no document is half processed."""
