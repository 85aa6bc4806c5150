"""Writing X12: segments to text, and whole interchanges (ISA, GS, ST..SE, GE, IEA) with their counts.

Values are checked for separator characters rather than escaped: X12 has no release character, so a value
holding a separator cannot be written and raises :class:`GenerationError`. Trailing empty elements are left out,
as X12 requires.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from transformers.x12.errors import GenerationError
from transformers.x12.isa import Separators, default_separators, format_isa
from transformers.x12.values import format_date, format_time

if TYPE_CHECKING:
    from transformers.x12.ta1 import InterchangeAcknowledgement

Element = str | Sequence[str]
"""A simple element, or a composite as the sequence of its components."""
Segment = Sequence[Element]
"""A segment: its ID followed by its elements."""

Party = tuple[str, str]
"""An interchange party: (ID qualifier, ID), as ISA05/ISA06 or ISA07/ISA08."""


@dataclass(frozen=True, slots=True)
class OutboundSet:
    """A transaction set to write: its ID (ST01) and the segments between ST and SE."""

    set_id: str
    segments: Sequence[Segment]


@dataclass(frozen=True, slots=True)
class OutboundGroup:
    """A functional group to write. Its sets are numbered ST02 ``0001``, ``0002``, ... in order."""

    functional_id: str
    """GS01, e.g. ``SH`` (856), ``PO`` (850), ``FA`` (997)."""
    sender_code: str
    """GS02."""
    receiver_code: str
    """GS03."""
    control_number: int
    """GS06, 1 to 999999999."""
    sets: Sequence[OutboundSet] = field(default_factory=tuple)
    version: str = "004010"
    """GS08."""


class SegmentWriter:
    """Formats segments with one interchange's separators."""

    def __init__(self, separators: Separators, newline: str = "") -> None:
        self.separators = separators
        self._element = separators.element
        self._component = separators.component
        self._end = separators.segment + newline
        self._forbidden = (separators.segment, separators.repetition or separators.segment)

    def format(self, segment: Segment) -> str:
        values: list[str] = []
        components = 0
        for value in segment:
            if isinstance(value, str):
                values.append(value)
            else:
                parts = list(value)
                while parts and not parts[-1]:
                    parts.pop()
                components += max(len(parts) - 1, 0)
                values.append(self._component.join(parts))
        while len(values) > 1 and not values[-1]:
            values.pop()
        text = self._element.join(values)
        if (
            text.count(self._element) != len(values) - 1
            or text.count(self._component) != components
            or any(c in text for c in self._forbidden)
        ):
            self._explain(segment)
        return text + self._end

    def _explain(self, segment: Segment) -> None:
        tag = segment[0]
        for position, value in enumerate(segment[1:], start=1):
            for text in [value] if isinstance(value, str) else value:
                bad = [c for c in self.separators.all if c in text]
                if bad:
                    raise GenerationError(f"{tag}{position:02d} {text!r} contains the separator {bad[0]!r}")
        raise GenerationError(f"segment ID {tag!r} contains a separator")


def build_interchange(
    groups: Iterable[OutboundGroup],
    *,
    sender: Party,
    receiver: Party,
    control_number: int,
    when: datetime,
    version: str = "00401",
    separators: Separators | None = None,
    usage: str = "P",
    ack_requested: bool = False,
    interchange_acks: Sequence[InterchangeAcknowledgement] = (),
    newline: str = "",
    encoding: str = "utf-8",
) -> bytes:
    """One interchange: ISA, the TA1s given, each group (GS, ST..SE, GE) and IEA, counts filled in.

    ``version`` is ISA12; each group carries its own GS08. ``separators`` default to ``*`` ``>`` ``~`` (and ``^``
    as repetition separator from 00402 on). ``newline`` (e.g. ``"\\n"``) is written after every segment
    terminator, for people reading the file. ``when`` dates ISA09/ISA10 and each GS04/GS05.
    """
    separators = separators or default_separators(version)
    writer = SegmentWriter(separators, newline)
    isa = format_isa(
        sender_qualifier=sender[0],
        sender_id=sender[1],
        receiver_qualifier=receiver[0],
        receiver_id=receiver[1],
        when=when,
        version=version,
        control_number=control_number,
        ack_requested=ack_requested,
        usage=usage,
        separators=separators,
    )
    out = [isa + newline]
    out.extend(writer.format(ta1.segment()) for ta1 in interchange_acks)
    group_count = 0
    for group in groups:
        group_count += 1
        _write_group(out, writer, group, when)
    out.append(writer.format(("IEA", str(group_count), f"{control_number:09d}")))
    return "".join(out).encode(encoding)


def _write_group(out: list[str], writer: SegmentWriter, group: OutboundGroup, when: datetime) -> None:
    if not 0 < group.control_number <= 999_999_999:
        raise GenerationError(f"group control number {group.control_number} is outside 1..999999999")
    control = str(group.control_number)
    date, time = format_date(when), format_time(when.replace(second=0, microsecond=0))
    gs = ("GS", group.functional_id, group.sender_code, group.receiver_code, date, time, control, "X", group.version)
    out.append(writer.format(gs))
    for number, outbound in enumerate(group.sets, start=1):
        st02 = f"{number:04d}"
        out.append(writer.format(("ST", outbound.set_id, st02)))
        out.extend(writer.format(segment) for segment in outbound.segments)
        out.append(writer.format(("SE", str(len(outbound.segments) + 2), st02)))
    out.append(writer.format(("GE", str(len(group.sets)), control)))
