"""Inbound decoders: the bytes a legacy system sent (a file, a SOAP body) in, canonical messages out.

A decoder is a pure function ``(stream) -> Iterator[Decoded]`` registered by name (``@decoder("idoc.flat")``);
an inbound adapter's settings name the decoder. Decoders read the stream incrementally and yield messages as
they go, so a large file never has to fit in memory. A document that cannot be decoded raises
``DecodeFailed`` (a ``PermanentError``) with a reason a person can act on; the adapter then rejects the whole
document (file to ``error/``, SOAP Fault), and nothing of it is published.
"""

from __future__ import annotations

import importlib
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO

from bus.canonical import CanonicalMessage
from bus.errors import PermanentError

DOCUMENT_NAMESPACE = uuid.UUID("0c5b3a5e-2d7e-4f59-8b1e-5a3f7c9d1e42")


class DecodeFailed(PermanentError):
    """The document is not what its decoder reads; ``location`` says where (segment, line, IDoc number)."""

    def __init__(self, message: str, *, location: str | None = None) -> None:
        super().__init__(f"{location}: {message}" if location else message)
        self.reason = message
        self.location = location


@dataclass(frozen=True)
class Decoded:
    """One canonical message decoded from a document."""

    payload: CanonicalMessage
    reference: str
    """Where in the document it came from, stable across re-reads (e.g. ``IDoc 0000000000004711``)."""
    correlation_id: str | None = None
    occurred_at: datetime | None = None


def message_id_for(document_digest: str, reference: str) -> uuid.UUID:
    """A message id fixed by the document's content and the message's place in it.

    A document read twice (a crash before it was archived, the same file dropped again) yields the same ids,
    so route idempotency delivers each message once.
    """
    return uuid.uuid5(DOCUMENT_NAMESPACE, f"{document_digest}:{reference}")


DecoderFn = Callable[[BinaryIO], Iterator[Decoded]]

_DECODERS: dict[str, DecoderFn] = {}
_BUILTIN_MODULES: tuple[str, ...] = ("transformers.jsonlines", "transformers.idoc", "transformers.edifact")


def decoder(name: str) -> Callable[[DecoderFn], DecoderFn]:
    def register(fn: DecoderFn) -> DecoderFn:
        if name in _DECODERS and _DECODERS[name] is not fn:
            raise ValueError(f"decoder {name!r} registered twice")
        _DECODERS[name] = fn
        return fn

    return register


def _load_builtins() -> None:
    for module in _BUILTIN_MODULES:
        importlib.import_module(module)


def get_decoder(name: str) -> DecoderFn:
    _load_builtins()
    try:
        return _DECODERS[name]
    except KeyError:
        raise KeyError(f"unknown decoder {name!r}; known: {', '.join(decoder_names())}") from None


def decoder_names() -> list[str]:
    _load_builtins()
    return sorted(_DECODERS)
