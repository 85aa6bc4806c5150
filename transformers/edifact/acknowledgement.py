"""The CONTRL answering an interchange: what was rejected, at which level, with which syntax error and where.

Errors in service segments go where CONTRL reports them (UNA/UNB/UNZ in UCI, UNG/UNE in UCF, UNH/UNT in UCM);
errors in a message's user segments become UCS (the segment, position from UNH = 1) and UCD (the data element).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import TYPE_CHECKING

from transformers.edifact.codes import Action
from transformers.edifact.contrl import (
    Contrl,
    ElementError,
    ErrorPosition,
    GroupResponse,
    MessageResponse,
    SegmentError,
    Verdict,
)
from transformers.edifact.errors import EdifactError
from transformers.edifact.generate import generate_contrl
from transformers.edifact.headers import GroupHeader, Party
from transformers.edifact.syntax import SYNTAX_ENCODINGS, SYNTAX_VERSIONS, default_delimiters

if TYPE_CHECKING:
    from transformers.edifact.outcome import InterchangeOutcome, MessageOutcome

_INTERCHANGE_TAGS = frozenset({"UNA", "UNB", "UNZ"})
_GROUP_TAGS = frozenset({"UNG", "UNE"})
_MESSAGE_TAGS = frozenset({"UNH", "UNT"})
_FALLBACK_SYNTAX = ("UNOA", "3")
"""Used to answer an interchange whose own syntax identifier or version is not supported."""


def contrl_for(outcome: InterchangeOutcome) -> Contrl:
    """The CONTRL reporting ``outcome`` (which must have a header)."""
    header = outcome.header
    if header is None:
        raise ValueError("an interchange without UNB cannot be acknowledged")
    if not outcome.accepted:
        verdict = _verdict(Action.REJECTED, outcome.error, _INTERCHANGE_TAGS)
        return Contrl(header.control_reference, header.sender, header.recipient, verdict)
    groups: dict[GroupHeader, tuple[int, EdifactError | None, list[MessageOutcome]]] = {
        group.header: (group.first_message, group.error, []) for group in outcome.rejected_groups
    }
    loose: list[MessageOutcome] = []
    for message in outcome.rejected_messages:
        if message.group is None:
            loose.append(message)
        else:
            groups.setdefault(message.group, (message.index, None, []))[2].append(message)
    in_file_order = sorted(groups.items(), key=lambda item: item[1][0])
    return Contrl(
        header.control_reference,
        header.sender,
        header.recipient,
        Verdict(str(int(Action.ACKNOWLEDGED))),
        messages=tuple(_message(message) for message in loose),
        groups=tuple(_group(group, error, messages) for group, (_first, error, messages) in in_file_order),
    )


def acknowledgement_interchange(
    outcome: InterchangeOutcome, *, control_reference: str, when: datetime, sender: Party, message_reference: str
) -> bytes:
    """The CONTRL interchange for ``outcome``, in the inbound interchange's syntax and service characters."""
    header = outcome.header
    if header is None:
        raise ValueError("an interchange without UNB cannot be acknowledged")
    syntax_id, version = header.syntax_id, header.syntax_version
    if syntax_id not in SYNTAX_ENCODINGS or version not in SYNTAX_VERSIONS:
        syntax_id, version = _FALLBACK_SYNTAX
    delimiters = header.delimiters
    return generate_contrl(
        contrl_for(outcome),
        sender=sender,
        recipient=header.sender,
        control_reference=control_reference,
        message_reference=message_reference,
        prepared_at=when,
        syntax_id=syntax_id,
        syntax_version=version,
        delimiters=delimiters,
        una=header.una_present or delimiters != default_delimiters(syntax_id, version),
        test=header.test,
    )


def _verdict(action: Action, error: EdifactError | None, tags: Collection[str]) -> Verdict:
    if error is None:
        return Verdict(str(int(action)))
    tag = error.segment_tag if error.segment_tag in tags else ""
    position = _position(error) if tag else None
    return Verdict(str(int(action)), str(int(error.code)), tag, position)


def _position(error: EdifactError) -> ErrorPosition | None:
    element = error.data_element_position
    return ErrorPosition(element, error.component) if element is not None else None


def _group(header: GroupHeader, error: EdifactError | None, messages: list[MessageOutcome]) -> GroupResponse:
    if error is not None:  # the group and everything in it is rejected: its messages need no UCM
        verdict = _verdict(Action.REJECTED, error, _GROUP_TAGS)
        return GroupResponse(header.reference, header.application_sender, header.application_recipient, verdict)
    return GroupResponse(
        header.reference,
        header.application_sender,
        header.application_recipient,
        Verdict(str(int(Action.ACKNOWLEDGED))),
        messages=tuple(_message(message) for message in messages),
    )


def _message(message: MessageOutcome) -> MessageResponse:
    envelope = next((error for error in message.errors if error.segment_tag in _MESSAGE_TAGS), None)
    placed = [
        (error.segment_position, error)
        for error in message.errors
        if error is not envelope and error.segment_position is not None
    ]
    if envelope is None and not placed:  # nothing says where: the code goes on UCM
        verdict = Verdict(str(int(Action.REJECTED)), str(int(message.errors[0].code)))
    else:
        verdict = _verdict(Action.REJECTED, envelope, _MESSAGE_TAGS)
    segments: dict[int, tuple[str, list[ElementError]]] = {}
    for segment_position, error in placed:
        code, elements = segments.get(segment_position, ("", []))
        position = _position(error)
        if position is None:
            code = code or str(int(error.code))
        else:
            elements.append(ElementError(str(int(error.code)), position))
        segments[segment_position] = (code, elements)
    return MessageResponse(
        message.reference,
        message.identifier,
        verdict,
        tuple(SegmentError(position, code, tuple(elements)) for position, (code, elements) in segments.items()),
    )
