"""Errors of the EDIFACT codec, carrying what a CONTRL needs to report them and what a person needs to fix them.

Every error the codec raises is an :class:`EdifactError`, a :class:`bus.errors.PermanentError`: an interchange that
fails to parse or map will fail again unchanged.
"""

from __future__ import annotations

from typing import Literal

from bus.errors import PermanentError
from transformers.edifact.codes import SyntaxErrorCode

Level = Literal["interchange", "group", "message"]


class EdifactError(PermanentError):
    """Base of the codec's errors.

    ``code`` is the 0085 syntax error code; the location fields say where, in CONTRL terms:

    * ``level`` - which envelope level is rejected: the whole interchange, a group, or one message.
    * ``segment_tag`` / ``segment_position`` - the segment in error; inside a message the position counts from
      UNH = 1 (CONTRL 0096), outside a message from UNB = 1.
    * ``element`` - the data element's index after the tag, as in "UNT02" (1-based); ``component`` likewise.
    * ``offset`` - the byte offset of the segment in the file, for people looking at it in an editor.
    """

    def __init__(
        self,
        reason: str,
        code: SyntaxErrorCode = SyntaxErrorCode.UNSPECIFIED,
        *,
        level: Level = "message",
        segment_tag: str | None = None,
        segment_position: int | None = None,
        element: int | None = None,
        component: int | None = None,
        offset: int | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code
        self.level: Level = level
        self.segment_tag = segment_tag
        self.segment_position = segment_position
        self.element = element
        self.component = component
        self.offset = offset

    @property
    def data_element_position(self) -> int | None:
        """CONTRL 0098: the element's position counting the segment tag as 1 (so "UNT02" is 3)."""
        return None if self.element is None else self.element + 1

    @property
    def location(self) -> str:
        """Where, for people: ``UNT02, segment 12, byte 3456``."""
        where = []
        if self.segment_tag is not None:
            label = self.segment_tag
            if self.element is not None:
                label += f"{self.element:02d}"
                if self.component is not None:
                    label += f".{self.component}"
            where.append(label)
        if self.segment_position is not None:
            scope = "of the message" if self.level == "message" else "of the interchange"
            where.append(f"segment {self.segment_position} {scope}")
        if self.offset is not None:
            where.append(f"byte {self.offset}")
        return ", ".join(where)

    def __str__(self) -> str:
        location = f" ({self.location})" if self.location else ""
        return f"{self.reason}{location} [syntax error {int(self.code)}: {self.code.label}]"


class EdifactSyntaxError(EdifactError):
    """The bytes are not a well-formed interchange: separators, character set or envelope (UNB...UNZ)."""


class EdifactMappingError(EdifactError):
    """A well-formed message lacks data the canonical model needs, or carries values it cannot take."""
