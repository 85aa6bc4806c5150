"""The service segments of the envelope, read and checked: UNB/UNZ, UNG/UNE, UNH/UNT.

Each check returns the first error it finds, or None, located as a CONTRL reports it (segment tag and position,
data element and component) and with a reason a partner manager can act on.
"""

from __future__ import annotations

from collections.abc import Collection

from transformers.edifact.codes import SyntaxErrorCode
from transformers.edifact.envelope import GroupStatus, Message
from transformers.edifact.errors import EdifactSyntaxError, Level
from transformers.edifact.headers import GroupHeader, InterchangeHeader, MessageIdentifier, Party
from transformers.edifact.segment import Segment
from transformers.edifact.syntax import SYNTAX_VERSIONS
from transformers.edifact.tokenizer import SegmentReader

_MAX_ELEMENTS = {"UNB": 11, "UNZ": 2, "UNG": 8, "UNE": 2, "UNT": 2}
_MAX_TRACKED_REFERENCES = 10_000
"""Message references remembered per interchange for the duplicate check (code 26), which bounds its memory."""


def envelope_error(
    reason: str,
    code: SyntaxErrorCode,
    segment: Segment | None = None,
    *,
    level: Level = "interchange",
    element: int | None = None,
    component: int | None = None,
    tag: str | None = None,
    position: int | None = None,
) -> EdifactSyntaxError:
    """An envelope error at ``segment`` (its tag, position in the interchange and offset, unless given)."""
    return EdifactSyntaxError(
        reason,
        code,
        level=level,
        segment_tag=tag if tag is not None else (segment.tag[:3] if segment is not None else None),
        segment_position=position if position is not None else (segment.position if segment is not None else None),
        element=element,
        component=component,
        offset=segment.offset if segment is not None else None,
    )


def _is_number(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _too_many_elements(segment: Segment, limit: int) -> EdifactSyntaxError | None:
    if segment.element_count > limit and any(segment.elements[limit + 1 :]):
        return envelope_error(
            f"{segment.tag} has {segment.element_count} data elements, at most {limit} are defined",
            SyntaxErrorCode.TOO_MANY_CONSTITUENTS,
            segment,
            element=limit + 1,
        )
    return None


def _first_missing(
    segment: Segment, required: tuple[tuple[str, int, int | None, str], ...]
) -> EdifactSyntaxError | None:
    """Code 13 for the first empty ``(value, element, component, name)``."""
    for value, element, component, name in required:
        if not value:
            return envelope_error(
                f"{segment.tag} has no {name}", SyntaxErrorCode.MISSING, segment, element=element, component=component
            )
    return None


# -- interchange -----------------------------------------------------------------------------------------------


def read_unb(
    unb: Segment, tokens: SegmentReader, recipients: Collection[str] | None
) -> tuple[InterchangeHeader, EdifactSyntaxError | None]:
    """The interchange header (with the service characters the tokenizer found) and what is wrong with it."""
    header = InterchangeHeader(
        syntax_id=unb.value(1, 1),
        syntax_version=unb.value(1, 2),
        sender=Party(*unb.components(2, 3)),
        recipient=Party(*unb.components(3, 3)),
        date=unb.value(4, 1),
        time=unb.value(4, 2),
        control_reference=unb.value(5),
        password=unb.value(6),
        application_reference=unb.value(7),
        priority=unb.value(8),
        acknowledgement_requested=unb.value(9) in ("1", "2"),
        agreement_id=unb.value(10),
        test=unb.value(11) == "1",
        delimiters=tokens.delimiters,
        una_present=tokens.una_present,
    )
    return header, _unb_error(unb, header, tokens.syntax_supported, recipients)


def _unb_error(
    unb: Segment, header: InterchangeHeader, syntax_supported: bool, recipients: Collection[str] | None
) -> EdifactSyntaxError | None:
    if unb.fault is not None:
        return envelope_error(unb.fault, SyntaxErrorCode.INVALID_CHARACTERS, unb)
    missing = _first_missing(
        unb,
        (
            (header.syntax_id, 1, 1, "syntax identifier"),
            (header.syntax_version, 1, 2, "syntax version"),
            (header.sender.id, 2, 1, "interchange sender"),
            (header.recipient.id, 3, 1, "interchange recipient"),
            (header.date, 4, 1, "date of preparation"),
            (header.time, 4, 2, "time of preparation"),
            (header.control_reference, 5, None, "interchange control reference"),
        ),
    )
    if missing is not None:
        return missing
    unsupported = SyntaxErrorCode.UNSUPPORTED_SYNTAX
    if not syntax_supported:
        return envelope_error(
            f"syntax identifier {header.syntax_id!r} is not supported", unsupported, unb, element=1, component=1
        )
    if header.syntax_version not in SYNTAX_VERSIONS:
        return envelope_error(
            f"syntax version {header.syntax_version!r} is not supported", unsupported, unb, element=1, component=2
        )
    invalid = SyntaxErrorCode.INVALID_VALUE
    if not (_is_number(header.date) and len(header.date) in (6, 8)):
        return envelope_error(
            f"UNB date {header.date!r} is not YYMMDD or CCYYMMDD", invalid, unb, element=4, component=1
        )
    if not (_is_number(header.time) and len(header.time) == 4):
        return envelope_error(f"UNB time {header.time!r} is not HHMM", invalid, unb, element=4, component=2)
    too_many = _too_many_elements(unb, _MAX_ELEMENTS["UNB"])
    if too_many is not None:
        return too_many
    if recipients is not None and header.recipient.id not in recipients:
        return envelope_error(
            f"the interchange is addressed to {header.recipient.id!r}, which is not us",
            SyntaxErrorCode.RECIPIENT_NOT_ACTUAL,
            unb,
            element=3,
            component=1,
        )
    return None


def unz_error(
    unz: Segment, header: InterchangeHeader | None, expected: int, grouped: bool
) -> EdifactSyntaxError | None:
    """UNZ against what the interchange held: ``expected`` groups (when ``grouped``) or messages."""
    count, reference = unz.value(1), unz.value(2)
    error = _too_many_elements(unz, _MAX_ELEMENTS["UNZ"]) or _first_missing(
        unz, ((count, 1, None, "interchange control count"), (reference, 2, None, "interchange control reference"))
    )
    if error is not None:
        return error
    if not _is_number(count):
        return envelope_error(
            f"UNZ control count {count!r} is not a number", SyntaxErrorCode.INVALID_VALUE, unz, element=1
        )
    if header is not None and reference != header.control_reference:
        return envelope_error(
            f"UNZ reference {reference!r} does not match UNB reference {header.control_reference!r}",
            SyntaxErrorCode.REFERENCES_DO_NOT_MATCH,
            unz,
            element=2,
        )
    if expected == 0:
        return envelope_error("the interchange contains no messages", SyntaxErrorCode.LOWER_LEVEL_EMPTY, unz, element=1)
    if int(count) != expected:
        what = "groups" if grouped else "messages"
        return envelope_error(
            f"UNZ counts {int(count)} {what}, the interchange holds {expected}",
            SyntaxErrorCode.CONTROL_COUNT_MISMATCH,
            unz,
            element=1,
        )
    return None


# -- groups ----------------------------------------------------------------------------------------------------


def read_ung(ung: Segment, first_message: int) -> GroupStatus:
    """A group's status from its UNG, with the error in UNG when there is one."""
    version, release, association = ung.components(7, 3)
    header = GroupHeader(
        message_type=ung.value(1),
        application_sender=Party(*ung.components(2, 2)),
        application_recipient=Party(*ung.components(3, 2)),
        date=ung.value(4, 1),
        time=ung.value(4, 2),
        reference=ung.value(5),
        agency=ung.value(6),
        message_version=version,
        message_release=release,
        association=association,
        password=ung.value(8),
    )
    status = GroupStatus(header, first_message)
    error = _too_many_elements(ung, _MAX_ELEMENTS["UNG"]) or _first_missing(
        ung,
        (
            (header.message_type, 1, None, "message group identification"),
            (header.application_sender.id, 2, 1, "application sender"),
            (header.application_recipient.id, 3, 1, "application recipient"),
            (header.reference, 5, None, "group reference"),
        ),
    )
    if error is not None:
        status.fail(error)
    return status


def une_error(group: GroupStatus, une: Segment | None, at: Segment) -> EdifactSyntaxError | None:
    """UNE against its group; ``une`` None when the group ended (at ``at``) without one."""
    reference = group.header.reference
    if une is None:
        return envelope_error(f"group {reference!r} has no UNE", SyntaxErrorCode.MISSING, at, tag="UNE")
    count, une_reference = une.value(1), une.value(2)
    error = _too_many_elements(une, _MAX_ELEMENTS["UNE"]) or _first_missing(
        une, ((count, 1, None, "group control count"), (une_reference, 2, None, "group reference"))
    )
    if error is not None:
        return error
    if not _is_number(count):
        return envelope_error(
            f"UNE control count {count!r} is not a number", SyntaxErrorCode.INVALID_VALUE, une, element=1
        )
    if une_reference != reference:
        return envelope_error(
            f"UNE reference {une_reference!r} does not match UNG reference {reference!r}",
            SyntaxErrorCode.REFERENCES_DO_NOT_MATCH,
            une,
            element=2,
        )
    if group.message_count == 0:
        return envelope_error(
            f"group {reference!r} contains no messages", SyntaxErrorCode.LOWER_LEVEL_EMPTY, une, element=1
        )
    if int(count) != group.message_count:
        return envelope_error(
            f"UNE counts {int(count)} messages, group {reference!r} holds {group.message_count}",
            SyntaxErrorCode.CONTROL_COUNT_MISMATCH,
            une,
            element=1,
        )
    return None


# -- messages --------------------------------------------------------------------------------------------------


def read_unh(unh: Segment, index: int, group: GroupStatus | None, references: set[str], syntax_version: str) -> Message:
    """A message from its UNH, with the error in UNH when there is one; counts it in its group."""
    reference = unh.value(1)
    identifier = MessageIdentifier(*unh.components(2, 5))
    message = Message(
        reference=reference,
        identifier=identifier,
        segments=[unh],
        index=index,
        group=group.header if group is not None else None,
        common_access_reference=unh.value(3),
    )
    message.error = _unh_error(unh, reference, identifier, references, syntax_version)
    if len(references) < _MAX_TRACKED_REFERENCES:
        references.add(reference)
    if group is not None:
        group.message_count += 1
        if identifier.type != group.header.message_type:
            group.fail(
                envelope_error(
                    f"group {group.header.reference!r} is for {group.header.message_type} messages, message "
                    f"{reference!r} is {identifier.type}",
                    SyntaxErrorCode.MORE_THAN_ONE_MESSAGE_TYPE_IN_GROUP,
                    unh,
                    element=2,
                    component=1,
                )
            )
    return message


def _unh_error(
    unh: Segment, reference: str, identifier: MessageIdentifier, references: set[str], syntax_version: str
) -> EdifactSyntaxError | None:
    if unh.fault is not None:
        error = envelope_error(unh.fault, SyntaxErrorCode.INVALID_CHARACTERS, unh)
    elif reference and reference in references:
        error = envelope_error(
            f"message reference {reference!r} is used twice in the interchange",
            SyntaxErrorCode.DUPLICATE,
            unh,
            element=1,
        )
    else:
        error = _first_missing(
            unh,
            (
                (reference, 1, None, "message reference"),
                (identifier.type, 2, 1, "message type"),
                (identifier.version, 2, 2, "message version"),
                (identifier.release, 2, 3, "message release"),
                (identifier.agency, 2, 4, "controlling agency"),
            ),
        ) or _too_many_elements(unh, 7 if syntax_version == "4" else 4)
    if error is not None:
        error.level, error.segment_position = "message", 1
    return error


def segment_error(message: Message, segment: Segment, invalid_tag: bool) -> EdifactSyntaxError:
    """A user segment of ``message`` with a malformed tag, or with characters invalid in the character set."""
    position = message.position_of(segment)
    if invalid_tag:
        return envelope_error(
            f"invalid segment tag {segment.tag[:10]!r}",
            SyntaxErrorCode.INVALID_VALUE,
            segment,
            level="message",
            element=0,
            position=position,
        )
    return envelope_error(
        segment.fault or "", SyntaxErrorCode.INVALID_CHARACTERS, segment, level="message", position=position
    )


def unt_error(message: Message, unt: Segment, max_segments: int) -> EdifactSyntaxError | None:
    """UNT against its message (UNH to UNT, ``message.segment_count`` segments)."""
    error = _unt_problem(message, unt, max_segments)
    if error is not None:
        error.level, error.segment_position = "message", message.segment_count
    return error


def _unt_problem(message: Message, unt: Segment, max_segments: int) -> EdifactSyntaxError | None:
    count, reference = unt.value(1), unt.value(2)
    position = message.segment_count
    error = _too_many_elements(unt, _MAX_ELEMENTS["UNT"]) or _first_missing(
        unt, ((count, 1, None, "segment count"), (reference, 2, None, "message reference"))
    )
    if error is not None:
        return error
    if not _is_number(count):
        return envelope_error(
            f"UNT segment count {count!r} is not a number", SyntaxErrorCode.INVALID_VALUE, unt, element=1
        )
    if int(count) != position:
        return envelope_error(
            f"UNT counts {int(count)} segments, the message has {position} (UNH to UNT)",
            SyntaxErrorCode.CONTROL_COUNT_MISMATCH,
            unt,
            element=1,
        )
    if reference != message.reference:
        return envelope_error(
            f"UNT reference {reference!r} does not match UNH reference {message.reference!r}",
            SyntaxErrorCode.REFERENCES_DO_NOT_MATCH,
            unt,
            element=2,
        )
    if position > max_segments:
        return envelope_error(
            f"the message has {position} segments; at most {max_segments} are accepted",
            SyntaxErrorCode.UNSPECIFIED,
            unt,
        )
    return None
