"""What one message is to this codec: a canonical message to publish, a CONTRL received, or rejected, with why."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bus.canonical import CanonicalMessage
from transformers.edifact import contrl
from transformers.edifact.codes import SyntaxErrorCode
from transformers.edifact.contrl import Contrl
from transformers.edifact.envelope import Message
from transformers.edifact.errors import EdifactError, EdifactMappingError
from transformers.edifact.mapping import Document, MessageMap
from transformers.edifact.maps import is_known_type, map_for, supported
from transformers.edifact.structure import MessageStructure

CONTRL_TYPE = "CONTRL"


@dataclass(frozen=True, slots=True)
class Interpretation:
    payload: CanonicalMessage | None = None
    mapping: MessageMap[Any] | None = None
    acknowledgement: Contrl | None = None
    """A CONTRL the partner sent us."""
    errors: tuple[EdifactError, ...] = ()

    @property
    def rejected(self) -> bool:
        return bool(self.errors)


def interpret(message: Message) -> Interpretation:
    """Check ``message`` against its segment table and map it; never raises for bad content."""
    if message.error is not None:
        return Interpretation(errors=(message.error,))
    if message.type == CONTRL_TYPE:
        return _read(message, contrl.STRUCTURE, lambda doc: Interpretation(acknowledgement=contrl.read(doc)))
    mapping = map_for(message.identifier)
    if mapping is None:
        return Interpretation(errors=(_unsupported(message),))
    return _read(message, mapping.structure, lambda doc: Interpretation(payload=mapping.read(doc), mapping=mapping))


def _read(message: Message, structure: MessageStructure, read: Callable[[Document], Interpretation]) -> Interpretation:
    doc, errors = Document.walk(message, structure)
    if errors:
        return Interpretation(errors=tuple(errors))
    try:
        return read(doc)
    except EdifactError as exc:
        return Interpretation(errors=(exc,))
    except (ValueError, ArithmeticError, LookupError) as exc:
        # The maps turn bad values into EdifactMappingError where they read them; this is the last guard, so
        # that no content, however broken, gets past as anything but a rejected message.
        error = EdifactMappingError(f"the message cannot be mapped: {exc}", SyntaxErrorCode.UNSPECIFIED)
        return Interpretation(errors=(error,))


def _unsupported(message: Message) -> EdifactMappingError:
    unh = message.segments[0]
    return EdifactMappingError(
        f"message {message.identifier} is not supported here (supported: {supported()}, and CONTRL)",
        SyntaxErrorCode.NO_AGREEMENT,
        level="message",
        segment_tag="UNH",
        segment_position=1,
        element=2,
        component=2 if is_known_type(message.type) else 1,
        offset=unh.offset,
    )
