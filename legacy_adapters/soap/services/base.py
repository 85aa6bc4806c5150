"""What an inbound SOAP service is: a WSDL and, for each of its operations, a handler.

A handler is a pure function from the operation's request element to the envelopes to publish and the way
to answer once they are confirmed. It raises ``SoapFault`` for a request it refuses. Handlers run in a
worker thread (decoding large IDoc packets is CPU work), so they must not touch the event loop.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from lxml import etree

from bus.envelope import Envelope, Source
from bus.publisher import PublishOutcome


def outcome_status(outcome: PublishOutcome) -> str:
    """How an answer reports one message: ``accepted`` (routed) or ``parked`` (no route bound yet)."""
    return "accepted" if outcome is PublishOutcome.CONFIRMED else "parked"


@dataclass(frozen=True)
class Accepted:
    """A request the service takes: what to publish, and the answer once every envelope is confirmed."""

    envelopes: list[Envelope]
    answer: Callable[[Sequence[PublishOutcome]], etree._Element]


Handler = Callable[[etree._Element, Source], Accepted]


@dataclass(frozen=True)
class SoapService:
    name: str
    """The name route files use (``service: idoc-receipt``) and the default path's last part."""
    wsdl_file: str
    """The WSDL's file name in ``legacy_adapters/soap/wsdl``."""
    handlers: Mapping[str, Handler]
    """The handler of each WSDL operation, by operation name."""
    other_body: Handler | None = None
    """Takes a Body element that is no operation's request (no SOAPAction check), if the service allows it."""
    decoders: tuple[str, ...] = ()
    """Registered decoders the handlers use (checked when a route file is validated)."""
