"""Codec errors. Each carries what a functional (997) or interchange (TA1) acknowledgement needs to report it.

The hierarchy follows the X12 envelope: :class:`InterchangeError` (TA1 note code), :class:`GroupError` (AK9
code), :class:`TransactionSetError` (AK5 code plus AK3/AK4 segment and element notes). All derive from
:class:`X12Error`, a :class:`~bus.errors.PermanentError`: reading the same data again fails the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bus.errors import PermanentError
from transformers.x12 import codes

if TYPE_CHECKING:
    from transformers.x12.isa import InterchangeHeader


@dataclass(frozen=True, slots=True)
class ElementError:
    """An AK4 note: which element of a segment is wrong and why (code list 723)."""

    position: int
    """AK401-1: the element's position in its segment, 1 for the first element after the segment ID."""
    code: str
    """AK403: data element syntax error code (``codes.ELEMENT_*``)."""
    component: int | None = None
    """AK401-2: the component's position inside a composite element."""
    reference: str | None = None
    """AK402: the data element reference number (e.g. 396 for BSN02), where known."""
    value: str | None = None
    """AK404: a copy of the bad value."""


@dataclass(frozen=True, slots=True)
class SegmentError:
    """An AK3 note: which segment of a transaction set is wrong and why (code list 720)."""

    segment_id: str
    """AK301: the segment's tag."""
    position: int
    """AK302: the segment's position in the transaction set; ST is 1."""
    code: str | None = None
    """AK304: segment syntax error code (``codes.SEGMENT_*``)."""
    loop_id: str | None = None
    """AK303: the loop identifier (e.g. ``HL``)."""
    elements: tuple[ElementError, ...] = ()


class X12Error(PermanentError):
    """Base of every codec error: the data cannot be read, mapped or written as X12."""

    def __init__(self, message: str, reason: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason or message
        """The problem alone, without the envelope context ``str(error)`` adds."""


class GenerationError(X12Error):
    """A value cannot be written as X12 (it contains a separator, an ISA field is too long, ...)."""


class InterchangeError(X12Error):
    """The interchange envelope (ISA/IEA) or the file's structure is broken. Reported in a TA1."""

    def __init__(
        self,
        reason: str,
        *,
        note_code: str,
        header: InterchangeHeader | None = None,
        segment_number: int | None = None,
    ) -> None:
        where = f" (segment {segment_number} of the interchange)" if segment_number else ""
        ctl = f"interchange {header.control_number}: " if header and header.control_number else ""
        super().__init__(f"{ctl}{reason}{where} [TA1 {note_code}]", reason)
        self.note_code = note_code
        """TA105 interchange note code (code list I18, ``codes.TA1_*``)."""
        self.header = header
        """The ISA as far as it could be read (``None`` when not even that)."""
        self.segment_number = segment_number
        """1-based ordinal of the offending segment in the interchange (ISA is 1)."""


class GroupError(X12Error):
    """A functional group envelope (GS/GE) error. Reported in AK905-AK909 of the group's 997."""

    def __init__(self, reason: str, *, code: str, control_number: str = "", segment_number: int | None = None) -> None:
        super().__init__(f"group {control_number}: {reason} [AK9 {code}]", reason)
        self.code = code
        """Functional group syntax error code (code list 716, ``codes.GROUP_*``)."""
        self.control_number = control_number
        self.segment_number = segment_number
        """Ordinal of the offending segment (GS or GE) in the interchange."""


class TransactionSetError(X12Error):
    """A transaction set cannot be accepted as sent. Reported in the AK2 loop of the group's 997.

    ``fatal`` False marks a problem the set was accepted despite (AK5 ``E``), e.g. an invalid optional date that
    was left out of the canonical message.
    """

    def __init__(
        self,
        reason: str,
        *,
        code: str,
        position: int | None = None,
        segment_errors: tuple[SegmentError, ...] = (),
        fatal: bool = True,
    ) -> None:
        where = f"segment {position} of the set: " if position else ""
        super().__init__(f"{where}{reason} [AK5 {code}]", reason)
        self.code = code
        """Transaction set syntax error code (code list 718, ``codes.SET_*``)."""
        self.position = position
        """Where the problem is, counted from ST = 1 (as AK302)."""
        self.segment_errors = segment_errors
        self.fatal = fatal


class MappingError(TransactionSetError):
    """The set is well formed but lacks or garbles data the canonical model needs (AK5 5 with AK3/AK4)."""

    def __init__(self, reason: str, segment: SegmentError, *, fatal: bool = True) -> None:
        super().__init__(
            reason,
            code=codes.SET_SEGMENTS_IN_ERROR,
            position=segment.position,
            segment_errors=(segment,),
            fatal=fatal,
        )
