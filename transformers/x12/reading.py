"""Reading an X12 file in two streaming passes: check everything first, then yield the messages.

Pass 1 (:meth:`X12Reading.check`) validates every interchange, group and set and runs the 850/856 maps, keeping
only verdicts; the acknowledgements are built from them. Pass 2 (:meth:`X12Reading.messages`) reads the stream
again from the start and yields the canonical messages of the accepted sets of accepted groups of accepted
interchanges only, so nothing of a rejected interchange is ever published. Each pass holds one transaction set
and one chunk of the stream at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import BinaryIO

from transformers.decoding import Decoded, DecodeFailed
from transformers.x12 import codes
from transformers.x12.ack997 import parse_997
from transformers.x12.envelope import (
    DEFAULT_MAX_SET_SEGMENTS,
    EnvelopeReader,
    Event,
    GroupEnd,
    GroupHeader,
    InterchangeAck,
    InterchangeEnd,
    TransactionSet,
)
from transformers.x12.errors import InterchangeError, TransactionSetError, X12Error
from transformers.x12.isa import InterchangeHeader
from transformers.x12.maps import MESSAGE_SETS
from transformers.x12.outcome import GroupOutcome, InterchangeOutcome
from transformers.x12.reader import DEFAULT_CHUNK_SIZE
from transformers.x12.ta1 import parse_ta1

DuplicateCheck = Callable[[InterchangeHeader], bool]


def _never(header: InterchangeHeader) -> bool:
    return False


class X12Reading:
    """One X12 file (any number of interchanges) read for the bus.

    ``is_duplicate`` is asked once per interchange whose ISA could be read; an interchange it confirms is
    rejected whole (TA1 025) and its sets are not read. ``chunk_size`` is how much of the stream is read at a
    time; ``max_set_segments`` bounds the one transaction set held in memory (a longer set is rejected);
    ``encoding`` decodes the bytes (X12 text is ASCII, which UTF-8 reads as is). ``messages()`` seeks the
    stream back to 0, so the stream must be seekable.
    """

    def __init__(
        self,
        stream: BinaryIO,
        *,
        is_duplicate: DuplicateCheck = _never,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        max_set_segments: int = DEFAULT_MAX_SET_SEGMENTS,
        encoding: str = "utf-8",
    ) -> None:
        self._stream = stream
        self._is_duplicate = is_duplicate
        self._chunk_size = chunk_size
        self._max_set_segments = max_set_segments
        self._encoding = encoding
        self._outcomes: list[InterchangeOutcome] | None = None
        self._stopped_by: str | None = None
        """The error that ended pass 1 before the end of the stream, as text."""

    def _events(self) -> EnvelopeReader:
        return EnvelopeReader(
            self._stream, chunk_size=self._chunk_size, encoding=self._encoding, max_set_segments=self._max_set_segments
        )

    def check(self) -> list[InterchangeOutcome]:
        """Pass 1: the verdict on every interchange in the file (computed once). Never raises for bad input."""
        if self._outcomes is None:
            checker = _Checker(self._is_duplicate)
            try:
                for event in self._events():
                    checker.handle(event)
            except InterchangeError as exc:
                checker.stop(exc)
                self._stopped_by = str(exc)
            self._outcomes = checker.outcomes
        return self._outcomes

    def messages(self) -> Iterator[Decoded]:
        """Pass 2: the canonical messages of the accepted 850/856 sets, in file order.

        Raises :class:`DecodeFailed` if the stream no longer reads as it did in :meth:`check`.
        """
        outcomes = self.check()
        self._stream.seek(0)
        accepted_groups: list[GroupOutcome] = []
        interchanges = 0
        usable = False
        try:
            for event in self._events():
                if isinstance(event, TransactionSet):
                    if usable and event.accepted:
                        decoded = _decode(event)
                        if decoded is not None:
                            yield decoded
                elif isinstance(event, InterchangeHeader):
                    outcome = _same(outcomes, interchanges, event)
                    interchanges += 1
                    accepted_groups = list(outcome.groups) if outcome.accepted else []
                    accepted_groups.reverse()
                elif isinstance(event, GroupHeader):
                    usable = bool(accepted_groups) and accepted_groups.pop().accepted
                elif isinstance(event, GroupEnd | InterchangeEnd):
                    usable = False
        except InterchangeError as exc:
            if str(exc) != self._stopped_by:
                raise DecodeFailed(f"the file changed since it was checked: {exc}") from None


def _same(outcomes: list[InterchangeOutcome], index: int, header: InterchangeHeader) -> InterchangeOutcome:
    if index >= len(outcomes) or outcomes[index].header != header:
        raise DecodeFailed(f"the file changed since it was checked: interchange {header.control_number} is new")
    return outcomes[index]


def _decode(ts: TransactionSet) -> Decoded | None:
    """The message of an accepted set; None for other set types and sets the map rejected in pass 1 too."""
    set_map = MESSAGE_SETS.get(ts.set_id)
    if set_map is None:
        return None
    try:
        payload, key, issued_at = set_map.read(ts.segments, [])
    except X12Error:
        return None
    return Decoded(payload=payload, reference=ts.reference, correlation_id=key, occurred_at=issued_at)


class _Checker:
    """Pass 1: turns envelope events into outcomes."""

    def __init__(self, is_duplicate: DuplicateCheck) -> None:
        self._is_duplicate = is_duplicate
        self.outcomes: list[InterchangeOutcome] = []
        self._outcome: InterchangeOutcome | None = None
        """The interchange being read, until its end."""
        self._group: GroupOutcome | None = None

    def handle(self, event: Event) -> None:
        outcome = self._outcome
        if isinstance(event, TransactionSet):
            if outcome is not None and self._group is not None and not outcome.duplicate:
                self._set(outcome, self._group, event)
        elif isinstance(event, InterchangeHeader):
            self._open(event)
        elif outcome is None:
            return
        elif isinstance(event, GroupHeader):
            self._group = None if outcome.duplicate else GroupOutcome(event)
            if self._group is not None:
                outcome.groups.append(self._group)
        elif isinstance(event, GroupEnd):
            if self._group is not None:
                self._close_group(outcome, self._group, event)
            self._group = None
        elif isinstance(event, InterchangeAck):
            outcome.received_interchange_acks.append(parse_ta1(event.elements))
        elif isinstance(event, InterchangeEnd):
            for error in event.errors:
                self._interchange_error(outcome, error)
            self._outcome = self._group = None

    def stop(self, error: InterchangeError) -> None:
        """The stream cannot be read past ``error``: it rejects the interchange at hand (or a new one)."""
        outcome = self._outcome
        if outcome is None:
            outcome = InterchangeOutcome(error.header)
            self.outcomes.append(outcome)
        self._interchange_error(outcome, error)
        outcome.note("nothing after this point in the file was read")
        self._outcome = self._group = None

    def _open(self, header: InterchangeHeader) -> None:
        outcome = InterchangeOutcome(header)
        self.outcomes.append(outcome)
        self._outcome, self._group = outcome, None
        if self._is_duplicate(header):
            outcome.duplicate = True
            outcome.note(
                f"ISA13 {header.control_number} from {header.sender_qualifier}/{header.sender_id} was received "
                f"before: duplicate interchange, not read again [TA1 {codes.TA1_DUPLICATE_CONTROL_NUMBER}]"
            )

    @staticmethod
    def _interchange_error(outcome: InterchangeOutcome, error: InterchangeError) -> None:
        outcome.errors.append(error)
        where = f"segment {error.segment_number}: " if error.segment_number else ""
        outcome.note(f"{where}{error.reason} [TA1 {error.note_code}]")

    @staticmethod
    def _close_group(outcome: InterchangeOutcome, group: GroupOutcome, end: GroupEnd) -> None:
        group.close(end)
        for error in end.errors:
            where = f" at segment {error.segment_number}" if error.segment_number else ""
            outcome.note(
                f"GS {group.header.control_number}{where}: {error.reason}; the group is rejected [AK9 {error.code}]"
            )

    @staticmethod
    def _set(outcome: InterchangeOutcome, group: GroupOutcome, ts: TransactionSet) -> None:
        errors = list(ts.errors)
        set_map = MESSAGE_SETS.get(ts.set_id)
        if ts.accepted:
            try:
                if set_map is not None:
                    set_map.parse(ts.segments, notes=errors)
                elif ts.set_id == "997":
                    component = ts.interchange.separators.component
                    outcome.received_acks.append(parse_997(ts.segments, component=component))
                else:
                    supported = ", ".join(sorted([*MESSAGE_SETS, "997"]))
                    raise TransactionSetError(
                        f"transaction set {ts.set_id} is not supported here (only {supported} are)",
                        code=codes.SET_NOT_SUPPORTED,
                        position=1,
                    )
            except TransactionSetError as exc:
                errors.append(exc)
        group.record(ts.set_id, ts.control_number, errors, set_map is not None)
        for error in errors:
            where = ts.start + (error.position or 1) - 1
            verdict = "" if error.fatal else " (accepted with this noted)"
            outcome.note(
                f"GS {group.header.control_number} ST {ts.control_number} at segment {where}: "
                f"{error.reason}{verdict} [AK5 {error.code}]"
            )
