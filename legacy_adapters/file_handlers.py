"""How a file-drop adapter reads a file: check it whole first, then stream its messages.

A ``FileHandler`` is chosen by name in the adapter's settings (``decoder: idoc.flat``). Any registered decoder
(``transformers.decoding``) works as a handler; formats that answer their sender (EDI acknowledgements) or
must remember identifiers (interchange control numbers) have handlers of their own.

Reading is two passes over a local copy of the file: ``verdict()`` decodes everything and keeps nothing, so
a file that breaks on its last record publishes nothing; ``messages()`` then streams the messages to publish.
"""

from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO, ClassVar, Protocol

from pydantic import BaseModel, ConfigDict

from transformers.decoding import Decoded, DecoderFn, get_decoder


@dataclass(frozen=True)
class IncomingFile:
    name: str
    size: int
    digest: str
    """SHA-256 of the content, hex."""


@dataclass(frozen=True)
class Reply:
    """A file to write back to the sender (an acknowledgement), into the adapter's reply folder."""

    name: str
    body: bytes


@dataclass
class FileVerdict:
    rejections: list[str] = field(default_factory=list)
    """Why parts of the file were refused; the file then goes to the error folder, with these as its reason."""
    replies: list[Reply] = field(default_factory=list)
    claims: list[str] = field(default_factory=list)
    """Identifiers recorded with the file once ingested (the sender must not reuse them)."""


class InboundMemory(Protocol):
    """What a handler may remember across files (backed by the bus's store)."""

    def is_claimed(self, claim: str) -> bool:
        """Whether a file already ingested claimed this identifier."""
        ...

    def next_number(self, sequence: str, *, wrap_at: int = ...) -> int:
        """The next value of a persistent counter."""
        ...


class FileReading(ABC):
    @abstractmethod
    def verdict(self) -> FileVerdict:
        """First pass: raise ``DecodeFailed`` if nothing of the file can be taken."""

    @abstractmethod
    def messages(self) -> Iterator[Decoded]:
        """Second pass: the messages to publish (those the verdict accepted)."""


class HandlerSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FileHandler(ABC):
    Settings: ClassVar[type[HandlerSettings]] = HandlerSettings
    sends_replies: ClassVar[bool] = False

    def __init__(self, settings: HandlerSettings, *, base_directory: str | None = None) -> None:
        self.settings = settings
        self.base_directory = base_directory
        """Where relative paths in the settings are resolved (the route catalogue's folder)."""

    @abstractmethod
    def read(self, stream: BinaryIO, file: IncomingFile, memory: InboundMemory) -> FileReading:
        """Start reading ``stream`` (a seekable local copy of ``file``)."""


class _DecoderReading(FileReading):
    def __init__(self, decode: DecoderFn, stream: BinaryIO) -> None:
        self._decode = decode
        self._stream = stream

    def verdict(self) -> FileVerdict:
        self._stream.seek(0)
        for _ in self._decode(self._stream):
            pass
        return FileVerdict()

    def messages(self) -> Iterator[Decoded]:
        self._stream.seek(0)
        return self._decode(self._stream)


class DecoderFileHandler(FileHandler):
    """A registered decoder as a file handler: the whole file is accepted or refused."""

    def __init__(self, decode: DecoderFn) -> None:
        super().__init__(HandlerSettings())
        self._decode = decode

    def read(self, stream: BinaryIO, file: IncomingFile, memory: InboundMemory) -> FileReading:
        return _DecoderReading(self._decode, stream)


_HANDLERS = {"edi": "legacy_adapters.edi.handler:EdiFileHandler"}


def _handler_class(name: str) -> type[FileHandler] | None:
    spec = _HANDLERS.get(name)
    if spec is None:
        return None
    module_name, _, attribute = spec.partition(":")
    return getattr(importlib.import_module(module_name), attribute)


def check_handler(name: str, settings: dict[str, Any]) -> bool:
    """Raise ``ValueError`` if ``name`` is no handler or decoder, or ``settings`` do not fit it.

    Returns whether the handler sends replies (and so needs a reply folder).
    """
    cls = _handler_class(name)
    if cls is not None:
        cls.Settings.model_validate(settings)
        return cls.sends_replies
    try:
        get_decoder(name)
    except KeyError as exc:
        raise ValueError(f"{exc.args[0]}; or a file handler: {', '.join(sorted(_HANDLERS))}") from None
    if settings:
        raise ValueError(f"decoder {name!r} takes no decoder_settings")
    return False


def file_handler(name: str, settings: dict[str, Any], *, base_directory: str | None = None) -> FileHandler:
    cls = _handler_class(name)
    if cls is not None:
        return cls(cls.Settings.model_validate(settings), base_directory=base_directory)
    return DecoderFileHandler(get_decoder(name))
