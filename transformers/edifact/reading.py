"""Reading an EDIFACT file in two passes: check everything, then publish what was accepted.

The first pass (:meth:`EdifactReading.check`) validates every interchange, group and message and runs the maps,
keeping only the verdicts; the second (:meth:`EdifactReading.messages`) reads the file again and yields the
accepted messages. Neither holds more than one message at a time, whatever the size of the file, and an adapter
can decide (archive, acknowledge, reject) before anything is published.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from typing import BinaryIO

from transformers.decoding import Decoded, DecodeFailed
from transformers.edifact.codes import SyntaxErrorCode
from transformers.edifact.envelope import DEFAULT_MAX_MESSAGE_SEGMENTS, Message
from transformers.edifact.errors import EdifactError, EdifactSyntaxError
from transformers.edifact.headers import InterchangeHeader
from transformers.edifact.interchange import EnvelopeReader, InterchangeReader, StrayData
from transformers.edifact.interpret import CONTRL_TYPE, interpret
from transformers.edifact.outcome import GroupOutcome, InterchangeOutcome, MessageOutcome
from transformers.edifact.tokenizer import DEFAULT_CHUNK_SIZE, DEFAULT_MAX_SEGMENT_LENGTH


def _never(_header: InterchangeHeader) -> bool:
    return False


class EdifactReading:
    """The interchanges of one file (a seekable binary stream), checked, then published.

    ``is_duplicate(header)`` says whether an interchange was received before (same sender and control
    reference); such an interchange is rejected whole with syntax error 26. An interchange that reuses a control
    reference seen earlier in the same file is rejected the same way. ``recipients``, when given, are our ids:
    an interchange addressed to anyone else is rejected with syntax error 7.
    """

    def __init__(
        self,
        stream: BinaryIO,
        *,
        is_duplicate: Callable[[InterchangeHeader], bool] = _never,
        recipients: Collection[str] | None = None,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        max_segment_length: int = DEFAULT_MAX_SEGMENT_LENGTH,
        max_message_segments: int = DEFAULT_MAX_MESSAGE_SEGMENTS,
    ) -> None:
        self._stream = stream
        self._is_duplicate = is_duplicate
        self._recipients = recipients
        self._options = {
            "chunk_size": chunk_size,
            "max_segment_length": max_segment_length,
            "max_message_segments": max_message_segments,
        }
        self._outcomes: list[InterchangeOutcome] | None = None

    def check(self) -> list[InterchangeOutcome]:
        """Pass 1: the verdict on every interchange of the file, in file order.

        Bad content only ever yields rejected outcomes; a file in which no interchange can be found at all (empty,
        not EDIFACT, unreadable service characters before the first UNB) raises :class:`EdifactSyntaxError`.
        """
        outcomes: list[InterchangeOutcome] = []
        seen: dict[str, int] = {}
        try:
            for index, interchange in enumerate(self._interchanges(), start=1):
                outcomes.append(self._check(index, interchange, seen))
        except EdifactSyntaxError as exc:  # only the very first segment raises: nothing at all is readable
            raise _nothing_found(exc) from exc
        if not any(outcome.header is not None for outcome in outcomes):
            raise _nothing_found(outcomes[0].error if outcomes else None)
        self._outcomes = outcomes
        return outcomes

    def messages(self) -> Iterator[Decoded]:
        """Pass 2: the accepted DESADV and ORDERS messages of the accepted interchanges, as canonical messages.

        Runs :meth:`check` first when it has not run. ``reference`` is ``UNB <control reference>/UNH <message
        reference>``, ``correlation_id`` the ASN or PO number.
        """
        outcomes = self._outcomes if self._outcomes is not None else self.check()
        for index, interchange in enumerate(self._interchanges(), start=1):
            outcome = outcomes[index - 1] if index <= len(outcomes) else None
            if outcome is None or outcome.header != interchange.header:
                raise DecodeFailed("the file changed between check() and messages()", location=f"interchange {index}")
            if not outcome.published_count or not isinstance(interchange, InterchangeReader):
                continue
            yield from self._publish(outcome, interchange)

    # -- pass 1 --------------------------------------------------------------------------------------------------

    def _interchanges(self) -> Iterator[InterchangeReader | StrayData]:
        self._stream.seek(0)
        return iter(EnvelopeReader(self._stream, recipients=self._recipients, **self._options))

    def _check(
        self, index: int, interchange: InterchangeReader | StrayData, seen: dict[str, int]
    ) -> InterchangeOutcome:
        outcome = InterchangeOutcome(header=interchange.header, accepted=False, reasons=[], index=index)
        duplicate = self._duplicate(index, interchange, seen)
        published_in_group: dict[int, int] = {}  # by id() of the group's header
        for message in interchange:
            if message.type == CONTRL_TYPE:
                outcome.contrl_count += 1
            if duplicate is not None:
                continue
            result = interpret(message)
            if result.rejected:
                outcome.withheld.add(message.index)
                outcome.rejected_messages.append(
                    MessageOutcome(
                        message.index,
                        message.reference,
                        message.identifier,
                        message.group,
                        result.errors,
                        _document_number(message),
                    )
                )
            elif result.acknowledgement is not None:
                outcome.received_acknowledgements.append(result.acknowledgement)
            else:
                outcome.published_count += 1
                if message.group is not None:
                    key = id(message.group)
                    published_in_group[key] = published_in_group.get(key, 0) + 1
        report = interchange.report
        if duplicate is not None:
            report.error = duplicate
        outcome.message_count = report.message_count
        for group in report.groups:
            if group.error is not None:
                outcome.rejected_groups.append(GroupOutcome(group.header, group.error, group.first_message))
                indexes = range(group.first_message, group.first_message + group.message_count)
                outcome.withheld_ranges.append(indexes)
                outcome.published_count -= published_in_group.get(id(group.header), 0)
        outcome.error = report.error
        outcome.accepted = report.accepted
        if not outcome.accepted:
            outcome.published_count = 0
        outcome.reasons = _reasons(outcome)
        return outcome

    def _duplicate(
        self, index: int, interchange: InterchangeReader | StrayData, seen: dict[str, int]
    ) -> EdifactError | None:
        header = interchange.header
        if header is None or interchange.report.error is not None:
            return None
        reference = header.control_reference
        earlier = seen.setdefault(reference, index)
        if earlier != index:
            reason = f"control reference {reference!r} is already used by interchange {earlier} of this file"
        elif self._is_duplicate(header):
            reason = f"interchange {reference!r} from {header.sender} was received before (duplicate)"
        else:
            return None
        return EdifactSyntaxError(
            reason, SyntaxErrorCode.DUPLICATE, level="interchange", segment_tag="UNB", segment_position=1, element=5
        )

    # -- pass 2 --------------------------------------------------------------------------------------------------

    def _publish(self, outcome: InterchangeOutcome, interchange: InterchangeReader) -> Iterator[Decoded]:
        header = interchange.header
        for message in interchange:
            if not outcome.publishes(message.index):
                continue
            result = interpret(message)
            if result.payload is None or result.mapping is None:
                if result.rejected:
                    raise DecodeFailed(
                        "the file changed between check() and messages()",
                        location=f"UNB {header.control_reference}/UNH {message.reference}",
                    )
                continue
            yield Decoded(
                payload=result.payload,
                reference=f"UNB {header.control_reference}/UNH {message.reference}",
                correlation_id=result.mapping.business_key(result.payload),
                occurred_at=result.mapping.occurred_at(result.payload),
            )


def _document_number(message: Message) -> str:
    """BGM 1004 of ``message``; BGM follows UNH in every message this codec reads."""
    bgm = message.segments[1] if len(message.segments) > 1 else None
    return bgm.value(2) if bgm is not None and bgm.tag == "BGM" else ""


def _nothing_found(error: EdifactError | None) -> EdifactSyntaxError:
    why = str(error) if error is not None else "the file is empty"
    return EdifactSyntaxError(
        f"no EDIFACT interchange found: {why}", SyntaxErrorCode.MISSING, level="interchange", segment_tag="UNB"
    )


def _reasons(outcome: InterchangeOutcome) -> list[str]:
    reasons = []
    if outcome.error is not None:
        header = outcome.header
        prefix = f"interchange {header.control_reference!r} from {header.sender}: " if header is not None else ""
        reasons.append(prefix + str(outcome.error))
    reasons.extend(group.reason() for group in outcome.rejected_groups)
    for message in outcome.rejected_messages:
        reasons.extend(message.reasons())
    return reasons
