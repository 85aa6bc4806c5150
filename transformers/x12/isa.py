"""The ISA segment: its fixed layout, the separators it declares and the interchange header it carries.

ISA is the only fixed-length X12 segment (106 characters): the character after ``ISA`` is the element
separator, ISA16 is the component separator, the character after ISA16 ends the segment, and from version 00402
ISA11 is the repetition separator. Every later segment is read with these separators.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass, replace
from datetime import datetime

from transformers.x12 import codes
from transformers.x12.errors import GenerationError, InterchangeError
from transformers.x12.values import parse_date, parse_time, parses

ISA_LENGTH = 106
ISA_WIDTHS = (2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1)
"""Widths of ISA01..ISA16."""

REPETITION_FROM_VERSION = "00402"
"""ISA11 is the repetition separator from this ISA12 version on; before, it is the standards identifier ``U``."""


def _separator_positions() -> tuple[int, ...]:
    positions, at = [], 3
    for width in ISA_WIDTHS:
        positions.append(at)
        at += 1 + width
    return tuple(positions)


_SEPARATOR_AT = _separator_positions()
_COMPONENT_AT = ISA_LENGTH - 2
_TERMINATOR_AT = ISA_LENGTH - 1

_FIELD_NOTE = {
    1: codes.TA1_INVALID_AUTHORIZATION_QUALIFIER,
    2: codes.TA1_INVALID_AUTHORIZATION_VALUE,
    3: codes.TA1_INVALID_SECURITY_QUALIFIER,
    4: codes.TA1_INVALID_SECURITY_VALUE,
    5: codes.TA1_INVALID_SENDER_QUALIFIER,
    6: codes.TA1_INVALID_SENDER_ID,
    7: codes.TA1_INVALID_RECEIVER_QUALIFIER,
    8: codes.TA1_INVALID_RECEIVER_ID,
    9: codes.TA1_INVALID_DATE,
    10: codes.TA1_INVALID_TIME,
    11: codes.TA1_INVALID_STANDARDS_ID,
    12: codes.TA1_INVALID_VERSION_ID,
    13: codes.TA1_INVALID_CONTROL_NUMBER,
    14: codes.TA1_INVALID_ACK_REQUESTED,
    15: codes.TA1_INVALID_TEST_INDICATOR,
    16: codes.TA1_INVALID_COMPONENT_SEPARATOR,
}
"""Which TA1 note code reports a bad value in ISAnn."""


def _unusable(char: str) -> bool:
    """Letters, digits and spaces occur in data; CR/LF are tolerated line breaks, so none can separate."""
    return char.isalnum() or char in " \r\n"


@dataclass(frozen=True, slots=True)
class Separators:
    """The delimiters of one interchange. ``segment`` may be a newline; the others must be printable."""

    element: str = "*"
    component: str = ">"
    segment: str = "~"
    repetition: str | None = None
    """Only written for ISA12 >= 00402 (ISA11); ``None`` for 00401 interchanges."""

    def __post_init__(self) -> None:
        chars = [self.element, self.component, self.segment] + ([self.repetition] if self.repetition else [])
        if any(len(c) != 1 for c in chars):
            raise GenerationError(f"separators must be single characters, got {chars!r}")
        if len(set(chars)) != len(chars):
            raise GenerationError(f"separators must differ from each other, got {chars!r}")
        for char in [self.element, self.component] + ([self.repetition] if self.repetition else []):
            if _unusable(char):
                raise GenerationError(f"{char!r} cannot be an element, component or repetition separator")
        if self.segment.isalnum() or self.segment == " ":
            raise GenerationError(f"{self.segment!r} cannot be a segment terminator")

    @property
    def all(self) -> str:
        """Every separator, for checking that a value contains none of them."""
        return self.element + self.component + self.segment + (self.repetition or "")

    def for_version(self, version: str) -> Separators:
        """These separators, with a repetition separator added when ``version`` needs one and none is set."""
        if self.repetition is not None or version < REPETITION_FROM_VERSION:
            return self
        return replace(self, repetition=next(c for c in "^|!{}" if c not in self.all))


@dataclass(frozen=True, slots=True)
class InterchangeHeader:
    """The ISA segment of a received interchange, values stripped of their fixed-width padding."""

    authorization_qualifier: str
    authorization: str
    security_qualifier: str
    security: str
    sender_qualifier: str
    sender_id: str
    receiver_qualifier: str
    receiver_id: str
    date: str
    """ISA09, YYMMDD."""
    time: str
    """ISA10, HHMM."""
    standards_id: str
    """ISA11 as sent: ``U`` before 00402, the repetition separator from 00402 on."""
    version: str
    control_number: str
    ack_requested: str
    usage: str
    """ISA15: ``P`` production, ``T`` test, ``I`` information."""
    separators: Separators

    @property
    def sender(self) -> tuple[str, str]:
        """(ISA05 qualifier, ISA06 id)."""
        return self.sender_qualifier, self.sender_id

    @property
    def receiver(self) -> tuple[str, str]:
        """(ISA07 qualifier, ISA08 id)."""
        return self.receiver_qualifier, self.receiver_id


def default_separators(version: str) -> Separators:
    """``*``, ``>`` and ``~``, plus ``^`` as repetition separator from version 00402 on."""
    return Separators(repetition="^" if version >= REPETITION_FROM_VERSION else None)


def parse_isa(text: str) -> InterchangeHeader:
    """Read the ISA segment at the start of ``text`` and validate its fixed layout and values.

    Raises :class:`InterchangeError` with the TA1 note code; its ``header`` holds the ISA as far as it could be
    read (text after the 106th character is only looked at to read a malformed ISA that way).
    """
    if not text.startswith("ISA"):
        if "ISA".startswith(text[:3]):
            raise InterchangeError("the file ends inside the ISA segment", note_code=codes.TA1_PREMATURE_END)
        raise InterchangeError(
            f"an interchange must start with ISA, not {text[:3]!r}",
            note_code=codes.TA1_INVALID_CONTROL_STRUCTURE,
            segment_number=1,
        )
    element = text[3] if len(text) > 3 else ""
    if len(text) < ISA_LENGTH:
        raise InterchangeError(
            f"the file ends after {len(text)} characters of the 106-character ISA segment",
            note_code=codes.TA1_PREMATURE_END,
            header=_lenient_header(text, element),
            segment_number=1,
        )
    if _unusable(element):
        raise InterchangeError(
            f"{element!r} after ISA cannot be the element separator",
            note_code=codes.TA1_INVALID_ELEMENT_SEPARATOR,
            segment_number=1,
        )
    fields = [text[at + 1 : at + 1 + width] for at, width in zip(_SEPARATOR_AT, ISA_WIDTHS, strict=True)]
    if any(text[at] != element for at in _SEPARATOR_AT) or any(element in f for f in fields):
        _explain_bad_layout(text, element)
    component, terminator = fields[15], text[_TERMINATOR_AT]
    if _unusable(component) or component == element:
        raise InterchangeError(
            f"ISA16 {component!r} cannot be the component separator",
            note_code=codes.TA1_INVALID_COMPONENT_SEPARATOR,
            segment_number=1,
        )
    if terminator.isalnum() or terminator in (" ", element, component):
        raise InterchangeError(
            f"{terminator!r} after ISA16 cannot be the segment terminator",
            note_code=codes.TA1_INVALID_SEGMENT_TERMINATOR,
            segment_number=1,
        )
    header = _header(fields, Separators(element, component, terminator, _repetition(fields, element, terminator)))
    _check_values(header)
    return header


def _repetition(fields: list[str], element: str, terminator: str) -> str | None:
    """ISA11 when the version makes it the repetition separator and it can be one."""
    version, standards_id = fields[11], fields[10]
    if version < REPETITION_FROM_VERSION or _unusable(standards_id):
        return None
    return None if standards_id in (element, fields[15], terminator) else standards_id


def _header(fields: list[str], separators: Separators) -> InterchangeHeader:
    return InterchangeHeader(
        *(f.strip() for f in fields[:10]),
        standards_id=fields[10],
        version=fields[11].strip(),
        control_number=fields[12].strip(),
        ack_requested=fields[13].strip(),
        usage=fields[14].strip(),
        separators=separators,
    )


def _lenient_header(text: str, element: str) -> InterchangeHeader | None:
    """The ISA read by splitting at its element separator rather than at fixed positions; None if impossible."""
    if not element or _unusable(element):
        return None
    parts = text[4:].split(element, 15)
    if len(parts) < 16 or len(parts[15]) < 2:
        return None
    component, terminator = parts[15][0], parts[15][1]
    try:
        separators = Separators(element, component, terminator, _repetition(parts, element, terminator))
    except GenerationError:
        return None
    return _header(parts, separators)


def _explain_bad_layout(text: str, element: str) -> None:
    """Name the first ISA field whose width is wrong; ISA fields are padded to fixed widths."""
    header = _lenient_header(text, element)
    fields = text[4:].split(element, 16)
    for number, (field, width) in enumerate(zip(fields, ISA_WIDTHS[:-1], strict=False), start=1):
        if len(field) != width:
            raise InterchangeError(
                f"ISA{number:02d} is {len(field)} characters, it must be exactly {width} "
                "(ISA fields have fixed widths; the ISA segment must be 106 characters)",
                note_code=_FIELD_NOTE[number],
                header=header,
                segment_number=1,
            )
    raise InterchangeError(
        "the ISA segment is not 106 characters with separators at their fixed positions",
        note_code=codes.TA1_INVALID_CONTROL_STRUCTURE,
        header=header,
        segment_number=1,
    )


def _check_values(h: InterchangeHeader) -> None:
    problems = (
        (5, not h.sender_qualifier, "ISA05 sender ID qualifier is blank"),
        (6, not h.sender_id, "ISA06 sender ID is blank"),
        (7, not h.receiver_qualifier, "ISA07 receiver ID qualifier is blank"),
        (8, not h.receiver_id, "ISA08 receiver ID is blank"),
        (9, not _valid_yymmdd(h.date), f"ISA09 {h.date!r} is not a YYMMDD date"),
        (10, not _valid_hhmm(h.time), f"ISA10 {h.time!r} is not an HHMM time"),
        (12, not (h.version.isascii() and h.version.isdigit()), f"ISA12 {h.version!r} is not a version number"),
        (13, not (h.control_number.isascii() and h.control_number.isdigit()), "ISA13 must be 9 digits"),
        (14, h.ack_requested not in ("0", "1"), f"ISA14 {h.ack_requested!r} must be 0 or 1"),
        (15, h.usage not in ("P", "T", "I"), f"ISA15 {h.usage!r} must be P, T or I"),
    )
    for number, bad, reason in problems:
        if bad:
            raise InterchangeError(reason, note_code=_FIELD_NOTE[number], header=h, segment_number=1)
    delimiters = h.separators.all
    for number, value in enumerate(astuple(h)[:10], start=1):
        if any(c in value for c in delimiters):
            raise InterchangeError(
                f"ISA{number:02d} {value!r} contains a separator character",
                note_code=_FIELD_NOTE[number],
                header=h,
                segment_number=1,
            )


def _valid_yymmdd(value: str) -> bool:
    return len(value) == 6 and parses(parse_date, value)


def _valid_hhmm(value: str) -> bool:
    return len(value) == 4 and parses(parse_time, value)


def format_isa(
    *,
    sender_qualifier: str,
    sender_id: str,
    receiver_qualifier: str,
    receiver_id: str,
    when: datetime,
    version: str,
    control_number: int,
    ack_requested: bool,
    usage: str,
    separators: Separators,
    authorization_qualifier: str = "00",
    authorization: str = "",
    security_qualifier: str = "00",
    security: str = "",
) -> str:
    """The 106-character ISA segment, fields padded to their fixed widths."""
    if not (len(version) == 5 and version.isascii() and version.isdigit()):
        raise GenerationError(f"ISA12 version {version!r} must be 5 digits, e.g. 00401")
    if not 0 < control_number <= 999_999_999:
        raise GenerationError(f"interchange control number {control_number} is outside 1..999999999")
    if version >= REPETITION_FROM_VERSION:
        if separators.repetition is None:
            raise GenerationError(f"version {version} needs a repetition separator (ISA11)")
        standards_id = separators.repetition
    else:
        standards_id = "U"
    values = (
        authorization_qualifier,
        authorization,
        security_qualifier,
        security,
        sender_qualifier,
        sender_id,
        receiver_qualifier,
        receiver_id,
        f"{when.year % 100:02d}{when.month:02d}{when.day:02d}",
        f"{when.hour:02d}{when.minute:02d}",
        standards_id,
        version,
        f"{control_number:09d}",
        "1" if ack_requested else "0",
        usage,
        separators.component,
    )
    padded = []
    for number, (value, width) in enumerate(zip(values, ISA_WIDTHS, strict=True), start=1):
        if len(value) > width:
            raise GenerationError(f"ISA{number:02d} {value!r} is longer than {width} characters")
        if number not in (11, 16) and any(c in value for c in separators.all):
            raise GenerationError(f"ISA{number:02d} {value!r} contains a separator")
        padded.append(value.ljust(width))
    return "ISA" + separators.element + separators.element.join(padded) + separators.segment
