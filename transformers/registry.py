"""Named transformers: ``@transformer("name")`` registers a function ``Envelope -> Document``."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bus.envelope import Envelope


@dataclass(frozen=True)
class Document:
    """What an outbound adapter delivers: the bytes, their media type and hints for the target."""

    body: bytes
    media_type: str = "application/json"
    name: str | None = None
    """A suggested file name (file-based targets) or operation name (SOAP targets)."""
    fields: dict[str, Any] = field(default_factory=dict)
    """Structured data for adapters that build the request themselves (e.g. SOAP operation arguments)."""


TransformerFn = Callable[[Envelope], Document]

_TRANSFORMERS: dict[str, TransformerFn] = {}
_BUILTIN_MODULES = ("transformers.builtin", "transformers.mes", "transformers.soap_maps", "transformers.idoc")


def transformer(name: str) -> Callable[[TransformerFn], TransformerFn]:
    def register(fn: TransformerFn) -> TransformerFn:
        if name in _TRANSFORMERS and _TRANSFORMERS[name] is not fn:
            raise ValueError(f"transformer {name!r} registered twice")
        _TRANSFORMERS[name] = fn
        return fn

    return register


def _load_builtins() -> None:
    for module in _BUILTIN_MODULES:
        importlib.import_module(module)


def get_transformer(name: str) -> TransformerFn:
    _load_builtins()
    try:
        return _TRANSFORMERS[name]
    except KeyError:
        raise KeyError(f"unknown transformer {name!r}; known: {', '.join(transformer_names())}") from None


def transformer_names() -> list[str]:
    _load_builtins()
    return sorted(_TRANSFORMERS)
