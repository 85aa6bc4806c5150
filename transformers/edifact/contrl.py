"""CONTRL (syntax and service report): the acknowledgement of an interchange, both built and read.

Layout (ISO 9735, CONTRL D:3 for syntax versions 1-3, CONTRL 4:1 for version 4):

* UCI - the subject interchange (UNB 0020, sender, recipient, as received), the action taken on it (0083: 4
  rejected, 7 acknowledged, 8 received) and any error in UNA/UNB/UNZ (0085, service segment tag, S011);
* SG1 UCM - a message of an interchange without groups: reference, S009, action, any error in UNH/UNT;
  SG2 UCS/UCD - an erroneous segment (position from UNH = 1, 0085) and its erroneous data elements (0085, S011);
* SG3 UCF - a group: reference (0048), application sender/recipient, action, any error in UNG/UNE;
  SG4/SG5 - its messages, as SG1/SG2.

Action 7 acknowledges the lower levels that are not listed as rejected, so a CONTRL lists the rejected parts only.
"""

from __future__ import annotations

from dataclasses import dataclass

from transformers.edifact.codes import Action, SyntaxErrorCode
from transformers.edifact.headers import MessageIdentifier, Party
from transformers.edifact.mapping import Document
from transformers.edifact.segment import Segment
from transformers.edifact.structure import G, GroupInstance, MessageStructure, S
from transformers.edifact.writer import ElementValue, SegmentData

STRUCTURE = MessageStructure.of(
    "CONTRL:D:3:UN",
    S("UCI", "M", 1),
    G(1, "C", 999999, S("UCM", "M", 1), G(2, "C", 999, S("UCS", "M", 1), S("UCD", "C", 99))),
    G(
        3,
        "C",
        999999,
        S("UCF", "M", 1),
        G(4, "C", 999999, S("UCM", "M", 1), G(5, "C", 999, S("UCS", "M", 1), S("UCD", "C", 99))),
    ),
)
"""The same segment table serves every syntax version: version 4 only adds data elements at the end."""


def identifier_for(syntax_version: str) -> MessageIdentifier:
    """CONTRL's UNH S009 for an interchange of ``syntax_version``."""
    if syntax_version == "4":
        return MessageIdentifier("CONTRL", "4", "1", "UN")
    return MessageIdentifier("CONTRL", "D", "3", "UN")


@dataclass(frozen=True, slots=True)
class ErrorPosition:
    """S011: the erroneous data element, counting the segment tag as 1 (0098), and its component (0104)."""

    element: int
    component: int | None = None


@dataclass(frozen=True, slots=True)
class Verdict:
    """What UCI, UCF and UCM say about their subject: the action (0083) and the error found in its service
    segments, if any (0085, the service segment's tag, S011)."""

    action: str
    code: str = ""
    segment_tag: str = ""
    position: ErrorPosition | None = None

    @property
    def rejected(self) -> bool:
        return self.action == str(int(Action.REJECTED))


@dataclass(frozen=True, slots=True)
class ElementError:
    """UCD: a data element in error."""

    code: str
    position: ErrorPosition


@dataclass(frozen=True, slots=True)
class SegmentError:
    """UCS with its UCDs: a segment in error (position in the message, UNH = 1) or missing there."""

    position: int
    code: str = ""
    elements: tuple[ElementError, ...] = ()


@dataclass(frozen=True, slots=True)
class MessageResponse:
    """UCM and its segment errors."""

    reference: str
    identifier: MessageIdentifier
    verdict: Verdict
    segments: tuple[SegmentError, ...] = ()


@dataclass(frozen=True, slots=True)
class GroupResponse:
    """UCF and its messages."""

    reference: str
    sender: Party
    recipient: Party
    verdict: Verdict
    messages: tuple[MessageResponse, ...] = ()


@dataclass(frozen=True, slots=True)
class Contrl:
    """A CONTRL message: the verdict on one interchange, with the groups and messages it reports on."""

    interchange_reference: str
    sender: Party
    """The subject interchange's sender (UNB S002), as received."""
    recipient: Party
    verdict: Verdict
    messages: tuple[MessageResponse, ...] = ()
    groups: tuple[GroupResponse, ...] = ()

    @property
    def accepted(self) -> bool:
        """The subject interchange was acknowledged or received (lower levels may still be rejected)."""
        return not self.verdict.rejected


# -- reading -------------------------------------------------------------------------------------------------------


def read(doc: Document) -> Contrl:
    """The CONTRL of a message sorted into :data:`STRUCTURE`."""
    tree = doc.tree
    uci = tree.first("UCI")
    if uci is None:
        raise doc.missing("interchange response (UCI)", "UCI", doc.message.segments[0])
    return Contrl(
        interchange_reference=doc.text(uci, 1, None, "interchange control reference (0020)"),
        sender=Party(*uci.components(2, 3)),
        recipient=Party(*uci.components(3, 3)),
        verdict=_verdict(doc, uci, 4),
        messages=tuple(_message(doc, group) for group in tree.instances("SG1")),
        groups=tuple(_group(doc, group) for group in tree.instances("SG3")),
    )


def _verdict(doc: Document, segment: Segment, first: int) -> Verdict:
    """0083, 0085, service segment tag and S011, starting at data element ``first``."""
    return Verdict(
        action=doc.text(segment, first, None, "action (0083)"),
        code=segment.value(first + 1),
        segment_tag=segment.value(first + 2),
        position=_position(doc, segment, first + 3),
    )


def _position(doc: Document, segment: Segment, element: int) -> ErrorPosition | None:
    if not segment.value(element):
        return None
    component = segment.value(element, 2)
    return ErrorPosition(
        doc.integer(segment, element, 1, "erroneous data element position (0098)"),
        doc.integer(segment, element, 2, "erroneous component position (0104)") if component else None,
    )


def _group(doc: Document, group: GroupInstance) -> GroupResponse:
    ucf = group.trigger
    return GroupResponse(
        reference=doc.text(ucf, 1, None, "group reference (0048)"),
        sender=Party(*ucf.components(2, 2)),
        recipient=Party(*ucf.components(3, 2)),
        verdict=_verdict(doc, ucf, 4),
        messages=tuple(_message(doc, message) for message in group.instances("SG4")),
    )


def _message(doc: Document, group: GroupInstance) -> MessageResponse:
    ucm = group.trigger
    segments = group.instances("SG2") or group.instances("SG5")
    return MessageResponse(
        reference=doc.text(ucm, 1, None, "message reference (0062)"),
        identifier=MessageIdentifier(*ucm.components(2, 5)),
        verdict=_verdict(doc, ucm, 3),
        segments=tuple(_segment_error(doc, errors) for errors in segments),
    )


def _segment_error(doc: Document, group: GroupInstance) -> SegmentError:
    ucs = group.trigger
    elements = []
    for ucd in group.all("UCD"):
        position = _position(doc, ucd, 2)
        if position is None:
            raise doc.error(ucd, "UCD has no data element identification (S011)", SyntaxErrorCode.MISSING, 2, 1)
        elements.append(ElementError(doc.text(ucd, 1, None, "syntax error (0085)"), position))
    return SegmentError(
        position=doc.integer(ucs, 1, None, "segment position (0096)"),
        code=ucs.value(2),
        elements=tuple(elements),
    )


# -- writing -------------------------------------------------------------------------------------------------------


def write(contrl: Contrl) -> list[SegmentData]:
    """The body of a CONTRL message (UCI and the groups and messages it reports on)."""
    body: list[SegmentData] = [
        (
            "UCI",
            contrl.interchange_reference,
            _party(contrl.sender, 3),
            _party(contrl.recipient, 3),
            *_verdict_elements(contrl.verdict),
        )
    ]
    for message in contrl.messages:
        body.extend(_message_segments(message))
    for group in contrl.groups:
        body.append(
            (
                "UCF",
                group.reference,
                _party(group.sender, 2),
                _party(group.recipient, 2),
                *_verdict_elements(group.verdict),
            )
        )
        for message in group.messages:
            body.extend(_message_segments(message))
    return body


def _party(party: Party, components: int) -> tuple[str, ...]:
    return (party.id, party.qualifier, party.routing)[:components]


def _position_elements(position: ErrorPosition | None) -> ElementValue:
    if position is None:
        return None
    return (str(position.element), str(position.component) if position.component is not None else None)


def _verdict_elements(verdict: Verdict) -> tuple[ElementValue, ...]:
    return (verdict.action, verdict.code or None, verdict.segment_tag or None, _position_elements(verdict.position))


def _message_segments(message: MessageResponse) -> list[SegmentData]:
    segments: list[SegmentData] = [
        ("UCM", message.reference, message.identifier.components(), *_verdict_elements(message.verdict)),
    ]
    for error in message.segments:
        segments.append(("UCS", str(error.position), error.code or None))
        segments.extend(("UCD", element.code, _position_elements(element.position)) for element in error.elements)
    return segments
