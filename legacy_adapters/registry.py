"""Adapter lookup by name: the built-ins, then third-party ones from the ``esb.adapters`` entry point group."""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points

from legacy_adapters.base import OutboundAdapter

_BUILTINS = {
    "rest": "legacy_adapters.rest:RestWebhookAdapter",
    "sftp": "legacy_adapters.sftp.writer:SftpWriterAdapter",
}
ENTRY_POINT_GROUP = "esb.adapters"


def _load(spec: str) -> type[OutboundAdapter]:
    module_name, _, attribute = spec.partition(":")
    return getattr(importlib.import_module(module_name), attribute)


def _specs() -> dict[str, str]:
    specs = {ep.name: ep.value for ep in entry_points(group=ENTRY_POINT_GROUP)}
    specs.update(_BUILTINS)
    return specs


def adapter_names() -> list[str]:
    return sorted(_specs())


def adapter_class(name: str) -> type[OutboundAdapter]:
    spec = _specs().get(name)
    if spec is None:
        raise KeyError(f"unknown adapter {name!r}; known: {', '.join(adapter_names())}")
    cls = _load(spec)
    if not (isinstance(cls, type) and issubclass(cls, OutboundAdapter)):
        raise TypeError(f"adapter {name!r} ({spec}) is not an OutboundAdapter")
    return cls
