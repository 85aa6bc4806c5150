"""997 Functional Acknowledgment: written for the groups we receive, read when a partner acknowledges ours.

One 997 answers one functional group: ``AK1`` names it (GS01, GS06, and from 005010 on the GS08 version),
one ``AK2`` loop per transaction set (``AK3``/``AK4`` point at the segments and elements in error, ``AK5`` gives
the verdict and up to five error codes), and ``AK9`` the group's verdict, counts and group error codes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from transformers.x12 import codes
from transformers.x12.errors import ElementError, SegmentError
from transformers.x12.mapping import Elem, SetSource
from transformers.x12.writer import OutboundSet, Segment

AK101 = Elem("AK1", 1, "479", "functional identifier code", 2, 2)
AK102 = Elem("AK1", 2, "28", "group control number", 1, 9)
AK201 = Elem("AK2", 1, "143", "transaction set identifier code", 3, 3)
AK202 = Elem("AK2", 2, "329", "transaction set control number", 4, 9)
AK301 = Elem("AK3", 1, "721", "segment ID code", 2, 3)
AK302 = Elem("AK3", 2, "719", "segment position in transaction set", 1, 6)
AK401 = Elem("AK4", 1, "722", "element position in segment", 1, 2)
AK403 = Elem("AK4", 3, "723", "data element syntax error code", 1, 3)
AK501 = Elem("AK5", 1, "717", "transaction set acknowledgment code", 1, 1)
AK901 = Elem("AK9", 1, "715", "functional group acknowledge code", 1, 1)
AK902 = Elem("AK9", 2, "97", "number of transaction sets included", 1, 6)
AK903 = Elem("AK9", 3, "123", "number of received transaction sets", 1, 6)
AK904 = Elem("AK9", 4, "2", "number of accepted transaction sets", 1, 6)

MAX_CODES = 5
"""AK502-AK506 and AK905-AK909 hold up to five error codes."""
VERSION_ECHO_FROM = "005010"
"""AK103 (the acknowledged group's GS08) exists from this version on."""


@dataclass(frozen=True, slots=True)
class SetAcknowledgement:
    """The AK2 loop of one transaction set."""

    set_id: str
    """AK201, the acknowledged set's ST01."""
    control_number: str
    """AK202, its ST02."""
    code: str
    """AK501: ``A`` accepted, ``E`` accepted with errors noted, ``R`` rejected (``codes.ACK_CODES``)."""
    error_codes: tuple[str, ...] = ()
    """AK502-AK506 (``codes.SET_ERROR_CODES``)."""
    segment_errors: tuple[SegmentError, ...] = ()
    """The AK3 loops, each with its AK4 element notes."""


@dataclass(frozen=True, slots=True)
class FunctionalAcknowledgement:
    """A 997: the verdict on one functional group and its transaction sets."""

    functional_id: str
    """AK101, the acknowledged group's GS01."""
    control_number: str
    """AK102, its GS06."""
    code: str
    """AK901: ``A``, ``E``, ``P`` (partially accepted) or ``R``."""
    included: int
    """AK902, the number of sets the group declared (GE01)."""
    received: int
    """AK903."""
    accepted: int
    """AK904."""
    error_codes: tuple[str, ...] = ()
    """AK905-AK909 (``codes.GROUP_ERROR_CODES``)."""
    sets: tuple[SetAcknowledgement, ...] = ()
    version: str = ""
    """AK103, the acknowledged group's GS08 (written from 005010 on)."""


def set_997(ack: FunctionalAcknowledgement) -> OutboundSet:
    """The 997 transaction set for ``ack``."""
    segments: list[Segment] = [
        ("AK1", AK101.fit(ack.functional_id), AK102.fit(ack.control_number), ack.version),
    ]
    for set_ack in ack.sets:
        segments.append(("AK2", AK201.fit(set_ack.set_id), AK202.fit(set_ack.control_number)))
        for segment in set_ack.segment_errors:
            segments.extend(_ak3_loop(segment))
        segments.append(("AK5", set_ack.code, *set_ack.error_codes[:MAX_CODES]))
    counts = (str(ack.included), str(ack.received), str(ack.accepted))
    segments.append(("AK9", ack.code, *counts, *ack.error_codes[:MAX_CODES]))
    return OutboundSet("997", segments)


def _ak3_loop(segment: SegmentError) -> list[Segment]:
    loop: list[Segment] = [
        ("AK3", segment.segment_id, str(segment.position), segment.loop_id or "", segment.code or "")
    ]
    for element in segment.elements:
        position = (str(element.position), str(element.component) if element.component else "")
        loop.append(("AK4", position, element.reference or "", element.code, element.value or ""))
    return loop


def parse_997(segments: Sequence[list[str]], *, component: str = ">") -> FunctionalAcknowledgement:
    """Read a received 997 (``segments[0]`` is ST); ``component`` is the interchange's component separator."""
    source = SetSource(segments)
    source.expect(2, "AK1", "functional group response header")
    sets: list[SetAcknowledgement] = []
    current: tuple[str, str] | None = None
    notes: list[SegmentError] = []
    ak9: int | None = None
    for position in range(3, len(segments) + 1):
        segment = segments[position - 1]
        tag = segment[0]
        if tag == "AK2":
            current, notes = (
                (source.text(position, AK201, required=True), source.text(position, AK202, required=True)),
                [],
            )
        elif tag == "AK3" and current is not None:
            notes.append(_segment_error(source, position))
        elif tag == "AK4" and notes:
            notes[-1] = _with_element(notes[-1], _element_error(source, position, component))
        elif tag == "AK5" and current is not None:
            code = source.text(position, AK501, required=True)
            sets.append(SetAcknowledgement(*current, code, tuple(c for c in segment[2:7] if c), tuple(notes)))
            current = None
        elif tag == "AK9":
            ak9 = position
        elif tag not in ("SE", "AK3", "AK4", "AK5"):
            raise source.segment_error(position, tag, f"{tag} does not belong in a 997", codes.SEGMENT_UNEXPECTED)
    if ak9 is None:
        raise source.missing(len(segments), "AK9", "AK9 (functional group response trailer)")
    return FunctionalAcknowledgement(
        functional_id=source.text(2, AK101, required=True),
        control_number=source.text(2, AK102, required=True),
        code=source.text(ak9, AK901, required=True),
        included=source.count(ak9, AK902),
        received=source.count(ak9, AK903),
        accepted=source.count(ak9, AK904),
        error_codes=tuple(c for c in segments[ak9 - 1][5:10] if c),
        sets=tuple(sets),
        version=segments[1][3] if len(segments[1]) > 3 else "",
    )


def _segment_error(source: SetSource, position: int) -> SegmentError:
    segment = source.segments[position - 1]
    return SegmentError(
        segment_id=source.text(position, AK301, required=True),
        position=source.count(position, AK302),
        loop_id=(segment[3] if len(segment) > 3 else "") or None,
        code=(segment[4] if len(segment) > 4 else "") or None,
    )


def _element_error(source: SetSource, position: int, component: str) -> ElementError:
    segment = source.segments[position - 1]
    where = source.text(position, AK401, required=True).split(component)
    try:
        element, part = int(where[0]), int(where[1]) if len(where) > 1 and where[1] else None
    except ValueError:
        raise source.error(
            position, AK401, "is not a position", codes.ELEMENT_INVALID_CHARACTER, value=where[0]
        ) from None
    return ElementError(
        position=element,
        component=part,
        reference=(segment[2] if len(segment) > 2 else "") or None,
        code=source.text(position, AK403, required=True),
        value=(segment[4] if len(segment) > 4 else "") or None,
    )


def _with_element(segment: SegmentError, element: ElementError) -> SegmentError:
    return SegmentError(
        segment.segment_id, segment.position, segment.code, segment.loop_id, (*segment.elements, element)
    )
