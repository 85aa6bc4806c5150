"""Adapter lookup by name: the built-ins, then third-party ones from entry points.

Outbound adapters (route targets) come from the ``esb.adapters`` group, inbound adapters (route ``inbound``
entries) from ``esb.inbound_adapters``.
"""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points
from typing import TypeVar

from legacy_adapters.base import InboundAdapter, OutboundAdapter

_OUTBOUND = {
    "amqp": "legacy_adapters.amqp:AmqpPublishAdapter",
    "rest": "legacy_adapters.rest:RestWebhookAdapter",
    "sftp": "legacy_adapters.sftp.writer:SftpWriterAdapter",
    "soap": "legacy_adapters.soap.outbound:SoapCallAdapter",
}
_INBOUND = {
    "sftp": "legacy_adapters.sftp.poller:SftpPollerAdapter",
    "soap": "legacy_adapters.soap.inbound:SoapEndpointAdapter",
}
ENTRY_POINT_GROUP = "esb.adapters"
INBOUND_ENTRY_POINT_GROUP = "esb.inbound_adapters"

AdapterT = TypeVar("AdapterT", OutboundAdapter, InboundAdapter)


def _specs(group: str, builtins: dict[str, str]) -> dict[str, str]:
    specs = {ep.name: ep.value for ep in entry_points(group=group)}
    specs.update(builtins)
    return specs


def _lookup(kind: str, name: str, specs: dict[str, str], base: type[AdapterT]) -> type[AdapterT]:
    spec = specs.get(name)
    if spec is None:
        raise KeyError(f"unknown {kind} adapter {name!r}; known: {', '.join(sorted(specs))}")
    module_name, _, attribute = spec.partition(":")
    cls = getattr(importlib.import_module(module_name), attribute)
    if not (isinstance(cls, type) and issubclass(cls, base)):
        raise TypeError(f"{kind} adapter {name!r} ({spec}) is not a {base.__name__}")
    return cls


def adapter_names() -> list[str]:
    return sorted(_specs(ENTRY_POINT_GROUP, _OUTBOUND))


def adapter_class(name: str) -> type[OutboundAdapter]:
    return _lookup("outbound", name, _specs(ENTRY_POINT_GROUP, _OUTBOUND), OutboundAdapter)


def inbound_adapter_names() -> list[str]:
    return sorted(_specs(INBOUND_ENTRY_POINT_GROUP, _INBOUND))


def inbound_adapter_class(name: str) -> type[InboundAdapter]:
    return _lookup("inbound", name, _specs(INBOUND_ENTRY_POINT_GROUP, _INBOUND), InboundAdapter)
