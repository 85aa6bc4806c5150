"""Envelope validation: segments in, interchange/group/transaction set events out, one set at a time.

Checks ISA13 = IEA02, IEA01 = number of groups, GS06 = GE02, GE01 = number of sets, ST02 = SE02, SE01 = number
of segments from ST to SE, missing trailers, segments outside a set and malformed segment IDs.

Each problem is attached to the event of the level it concerns (``TransactionSet.errors``, ``GroupEnd.errors``,
``InterchangeEnd.errors``) and reading goes on, so one file yields every problem it has. Only what makes the rest
of the stream unreadable (a bad ISA, undecodable bytes, a truncated file) is raised, as
:class:`InterchangeError`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from transformers.x12 import codes
from transformers.x12.control import ControlNumbers
from transformers.x12.errors import GroupError, InterchangeError, SegmentError, TransactionSetError
from transformers.x12.isa import InterchangeHeader
from transformers.x12.reader import DEFAULT_CHUNK_SIZE, DEFAULT_MAX_SEGMENT_LENGTH, SegmentReader

DEFAULT_MAX_SET_SEGMENTS = 100_000
"""A transaction set is held in memory whole; this bounds what a hostile or broken file can make it hold."""

MAX_ERRORS = 20
"""Problems recorded per interchange or set; a file broken throughout would otherwise fill memory with them."""

_ENVELOPE_TAGS = frozenset({"ISA", "IEA", "GS", "GE", "ST", "SE", "TA1"})
_COMMON_TAGS = ("BSN", "BEG", "HL", "LIN", "SN1", "PRF", "MAN", "TD1", "TD5", "REF", "DTM", "N1", "PO1", "PID", "CTT")


@dataclass(frozen=True, slots=True)
class GroupHeader:
    """The GS segment of a functional group."""

    functional_id: str
    """GS01, e.g. ``SH`` for 856, ``PO`` for 850, ``FA`` for 997."""
    sender_code: str
    """GS02, application sender's code."""
    receiver_code: str
    """GS03, application receiver's code."""
    date: str
    time: str
    control_number: str
    """GS06."""
    agency: str
    """GS07, ``X`` for ASC X12."""
    version: str
    """GS08, e.g. ``004010``."""
    interchange: InterchangeHeader
    segment_number: int = 0
    """Ordinal of the GS in its interchange (ISA is 1)."""


@dataclass(slots=True)
class TransactionSet:
    """One ST..SE transaction set as received, with the envelope errors found in it.

    ``segments[i]`` is the segment at position ``i + 1`` (ST is position 1, as in AK302); each segment is a list
    whose first item is the segment ID.
    """

    set_id: str
    control_number: str
    segments: list[list[str]]
    group: GroupHeader
    start: int
    """Ordinal of the ST in its interchange (ISA is 1)."""
    errors: list[TransactionSetError] = field(default_factory=list)
    dropped: int = 0
    """Segments beyond ``max_set_segments``: counted, not kept."""

    @property
    def count(self) -> int:
        """Segments from ST on, so far."""
        return len(self.segments) + self.dropped

    @property
    def interchange(self) -> InterchangeHeader:
        return self.group.interchange

    @property
    def accepted(self) -> bool:
        """No fatal envelope error."""
        return not self.errors or not any(e.fatal for e in self.errors)

    @property
    def reference(self) -> str:
        """Where the set is, stable across re-reads: ``ISA <ISA13>/GS <GS06>/ST <ST02>``."""
        return f"ISA {self.group.interchange.control_number}/GS {self.group.control_number}/ST {self.control_number}"


@dataclass(slots=True)
class GroupEnd:
    """A functional group's end (its GE, or where its missing GE should have been)."""

    header: GroupHeader
    set_count: int
    """ST segments seen in the group."""
    declared_set_count: int | None
    """GE01, when the GE was there and numeric."""
    errors: list[GroupError] = field(default_factory=list)
    segment_number: int = 0


@dataclass(frozen=True, slots=True)
class InterchangeAck:
    """A TA1 segment received at interchange level (a partner acknowledging one of our interchanges)."""

    header: InterchangeHeader
    elements: list[str]
    segment_number: int


@dataclass(slots=True)
class InterchangeEnd:
    """An interchange's IEA (or where its missing IEA should have been), with the problems found in it."""

    header: InterchangeHeader
    group_count: int
    errors: list[InterchangeError] = field(default_factory=list)
    segment_number: int = 0


Event = InterchangeHeader | GroupHeader | TransactionSet | GroupEnd | InterchangeAck | InterchangeEnd


def _valid_tag(tag: str) -> bool:
    return 2 <= len(tag) <= 3 and tag.isascii() and tag.isalnum() and tag[0].isalpha() and tag.isupper()


def _get(segment: list[str], index: int) -> str:
    return segment[index] if len(segment) > index else ""


def _count(value: str) -> int | None:
    return int(value) if value.isascii() and value.isdigit() else None


class EnvelopeReader:
    """Stream the envelope events of every interchange in a binary file-like object.

    Yields an :class:`InterchangeHeader` at each ISA, a :class:`GroupHeader` at each GS, a
    :class:`TransactionSet` at each SE (or where a missing SE should have been), a :class:`GroupEnd` at each GE,
    an :class:`InterchangeAck` for each TA1 and an :class:`InterchangeEnd` at each IEA.
    """

    def __init__(
        self,
        stream: BinaryIO,
        *,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        encoding: str = "utf-8",
        max_segment_length: int = DEFAULT_MAX_SEGMENT_LENGTH,
        max_set_segments: int = DEFAULT_MAX_SET_SEGMENTS,
    ) -> None:
        self._reader = SegmentReader(
            stream, chunk_size=chunk_size, encoding=encoding, max_segment_length=max_segment_length
        )
        self._max_set_segments = max_set_segments
        self._data_tags = set(_COMMON_TAGS)
        """IDs of the data segments met so far (valid segment IDs other than the envelope's)."""
        self._header: InterchangeHeader | None = None
        self._group: GroupHeader | None = None
        self._set: TransactionSet | None = None
        self._number = 0
        self._groups = 0
        self._group_sets = 0
        self._group_numbers = ControlNumbers()
        self._set_numbers = ControlNumbers()
        self._interchange_errors: list[InterchangeError] = []
        self._group_errors: list[GroupError] = []
        self._out: list[Event] = []
        """Events completed by the segment at hand, to be yielded."""
        self._misplaced = False
        """The data segments read last are outside any set: the run they start is reported once."""

    def __iter__(self) -> Iterator[Event]:
        base = 0  # the segment at batch[i] is segment base + i + 1 of its interchange
        for batch in self._reader.batches():
            start = 0
            for i in self._special(batch):
                if i > start:
                    self._extend(batch, start, i, base)
                self._number = base + i + 1
                segment = batch[i]
                if segment[0] in _ENVELOPE_TAGS:
                    self._envelope(segment[0], segment)
                    if self._out:
                        events, self._out = self._out, []
                        yield from events
                else:
                    self._malformed(segment[0], segment)
                self._misplaced = False
                base = self._number - i - 1  # an ISA starts counting again
                start = i + 1
            if start < len(batch):
                self._extend(batch, start, len(batch), base)
            base += len(batch)
            if self._set is not None and len(self._set.segments) > self._max_set_segments:
                self._drop_excess(self._set)
        self._number = base
        if self._header is not None:
            missing = "SE, GE and IEA" if self._set else "GE and IEA" if self._group else "IEA"
            raise InterchangeError(
                f"the file ends before the interchange is complete ({missing} missing)",
                note_code=codes.TA1_PREMATURE_END,
                header=self._header,
                segment_number=self._number,
            )

    def _special(self, batch: list[list[str]]) -> list[int]:
        """Indices of the envelope segments in ``batch`` and of the segments whose ID is not a segment ID.

        One set lookup per segment: a valid ID not met before is known from then on as a data segment's.
        """
        data_tags = self._data_tags
        special = [i for i, segment in enumerate(batch) if segment[0] not in data_tags]
        new = {batch[i][0] for i in special}.difference(_ENVELOPE_TAGS)
        if new:
            data_tags.update(tag for tag in new if _valid_tag(tag))
            special = [i for i in special if batch[i][0] not in data_tags]
        return special

    def _extend(self, batch: list[list[str]], start: int, stop: int, base: int) -> None:
        """Data segments ``batch[start:stop]``: part of the open set, or misplaced (one error per run of them,
        wherever batches split it)."""
        if self._set is not None:
            self._set.segments.extend(batch[start:stop])
        elif not self._misplaced:
            self._misplaced = True
            self._number = base + start + 1
            self._structure_error(f"{batch[start][0][:20]!r} segment outside a transaction set")

    def _drop_excess(self, ts: TransactionSet) -> None:
        """Keep memory bounded: a set longer than the limit is rejected and its further segments only counted."""
        if not ts.dropped:
            reason = f"has more than {self._max_set_segments} segments; the rest is not read"
            self._set_error(ts, reason, codes.SET_SEGMENTS_IN_ERROR, position=self._max_set_segments + 1)
        ts.dropped += len(ts.segments) - self._max_set_segments
        del ts.segments[self._max_set_segments :]

    # -- errors ------------------------------------------------------------------------------------------------

    def _structure_error(self, reason: str, note_code: str = codes.TA1_INVALID_CONTROL_STRUCTURE) -> None:
        if len(self._interchange_errors) < MAX_ERRORS:
            self._interchange_errors.append(
                InterchangeError(reason, note_code=note_code, header=self._header, segment_number=self._number)
            )

    def _set_error(
        self, ts: TransactionSet, reason: str, code: str, *notes: SegmentError, position: int | None = None
    ) -> None:
        """An error of ``ts`` at ``position`` (ST = 1), by default the segment at hand."""
        if len(ts.errors) < MAX_ERRORS:
            at = position or ts.count
            ts.errors.append(TransactionSetError(reason, code=code, position=at, segment_errors=notes))

    def _group_error(self, reason: str, code: str) -> None:
        assert self._group is not None
        self._group_errors.append(
            GroupError(reason, code=code, control_number=self._group.control_number, segment_number=self._number)
        )

    def _malformed(self, tag: str, segment: list[str]) -> None:
        """A segment whose ID is not a segment ID: an error of its set (AK3 code 1), or misplaced."""
        ts = self._set
        if ts is None:
            self._structure_error(f"{tag[:20]!r} segment outside a transaction set")
            return
        ts.segments.append(segment)
        note = SegmentError(tag[:3], ts.count, codes.SEGMENT_UNRECOGNIZED)
        self._set_error(ts, f"{tag[:20]!r} is not a segment ID", codes.SET_SEGMENTS_IN_ERROR, note)

    # -- envelope segments -------------------------------------------------------------------------------------

    def _envelope(self, tag: str, segment: list[str]) -> None:
        """Handle an envelope segment; the events it completes go to ``self._out``."""
        if tag == "ST":
            if self._set is not None:
                self._close_set(None)
            self._open_set(segment)
        elif tag == "SE":
            self._close_set(segment)
        elif tag == "GS":
            self._close_group(None, "GS")
            self._open_group(segment)
        elif tag == "GE":
            self._close_group(segment)
        elif tag == "ISA":
            self._close_interchange(None)
            self._open_interchange()
            assert self._header is not None
            self._out.append(self._header)
        elif tag == "IEA":
            self._close_interchange(segment)
        elif self._group is not None:  # TA1
            self._structure_error("TA1 inside a functional group (TA1 belongs between ISA and the first GS)")
        else:
            assert self._header is not None
            self._out.append(InterchangeAck(self._header, segment, self._number))

    def _open_interchange(self) -> None:
        self._header = self._reader.header
        self._number = 1
        self._groups = 0
        self._group_numbers = ControlNumbers()
        self._interchange_errors = []

    def _close_interchange(self, trailer: list[str] | None) -> None:
        header = self._header
        if header is None:
            return
        self._close_group(None, "IEA" if trailer else "ISA")
        if trailer is None:
            self._number -= 1  # the segment at hand is the next interchange's ISA
            self._structure_error("IEA missing: another ISA follows", codes.TA1_PREMATURE_END)
        else:
            control = _get(trailer, 2)
            if control != header.control_number:
                self._structure_error(
                    f"IEA02 {control!r} differs from ISA13 {header.control_number!r}",
                    codes.TA1_CONTROL_NUMBER_MISMATCH,
                )
            if _count(_get(trailer, 1)) != self._groups:
                self._structure_error(
                    f"IEA01 says {_get(trailer, 1)!r} functional groups, counted {self._groups}",
                    codes.TA1_INVALID_GROUP_COUNT,
                )
        self._out.append(InterchangeEnd(header, self._groups, self._interchange_errors, self._number))
        self._header = None

    def _open_group(self, segment: list[str]) -> None:
        assert self._header is not None
        header = GroupHeader(*(_get(segment, i) for i in range(1, 9)), self._header, self._number)
        self._group, self._group_sets, self._group_errors, self._set_numbers = header, 0, [], ControlNumbers()
        self._groups += 1
        missing = [f"GS{i:02d}" for i in range(1, 9) if not _get(segment, i)]
        delimiters = self._header.separators.all
        garbled = [f"GS{i:02d}" for i in range(1, 9) if any(c in _get(segment, i) for c in delimiters)]
        if garbled:
            self._structure_error(f"{', '.join(garbled)} contain a separator character", codes.TA1_INVALID_CONTENT)
        if missing:
            self._structure_error(
                f"GS {header.control_number}: {', '.join(missing)} missing", codes.TA1_INVALID_CONTENT
            )
        control = header.control_number
        if not (control.isascii() and control.isdigit() and len(control) <= 9):
            self._group_error(f"GS06 {control!r} must be 1 to 9 digits", codes.GROUP_INVALID_CONTROL_NUMBER)
        elif not self._group_numbers.add(control):
            self._group_error(f"GS06 {control} is used twice in the interchange", codes.GROUP_CONTROL_NUMBER_NOT_UNIQUE)
        self._out.append(header)

    def _close_group(self, trailer: list[str] | None, follower: str = "") -> None:
        self._close_set(None)
        group = self._group
        if group is None:
            if trailer is not None:
                self._structure_error("GE without GS")
            return
        end = GroupEnd(group, self._group_sets, None, self._group_errors, self._number)
        if trailer is None:
            end.errors.append(
                GroupError(
                    f"GE missing: {follower} follows the group's last set",
                    code=codes.GROUP_TRAILER_MISSING,
                    control_number=group.control_number,
                    segment_number=self._number,
                )
            )
        else:
            end.declared_set_count = _count(_get(trailer, 1))
            if _get(trailer, 2) != group.control_number:
                self._group_error(
                    f"GE02 {_get(trailer, 2)!r} differs from GS06 {group.control_number!r}",
                    codes.GROUP_CONTROL_NUMBER_MISMATCH,
                )
            if end.declared_set_count != self._group_sets:
                self._group_error(
                    f"GE01 says {_get(trailer, 1)!r} transaction sets, counted {self._group_sets}",
                    codes.GROUP_SET_COUNT_WRONG,
                )
        self._group = None
        self._out.append(end)

    def _open_set(self, segment: list[str]) -> None:
        group = self._group
        if group is None:
            assert self._header is not None
            self._structure_error("ST outside a functional group (GS missing)")
            group = GroupHeader("", "", "", "", "", "", "", "", self._header, 0)
        else:
            self._group_sets += 1
        set_id, control = _get(segment, 1), _get(segment, 2)
        ts = TransactionSet(set_id, control, [segment], group, self._number)
        self._set = ts
        if not (len(set_id) == 3 and set_id.isascii() and set_id.isdigit()):
            self._set_error(ts, f"ST01 {set_id!r} is not a transaction set ID", codes.SET_INVALID_ID)
        if not 4 <= len(control) <= 9:
            self._set_error(ts, f"ST02 {control!r} must be 4 to 9 characters", codes.SET_INVALID_CONTROL_NUMBER)
        elif not self._set_numbers.add(control):
            self._set_error(ts, f"ST02 {control} is used twice in the group", codes.SET_CONTROL_NUMBER_NOT_UNIQUE)

    def _close_set(self, trailer: list[str] | None) -> None:
        ts = self._set
        if ts is None:
            if trailer is not None:
                self._structure_error("SE without ST")
            return
        self._set = None
        if trailer is None:
            self._set_error(ts, "SE missing: the set ends without its trailer", codes.SET_TRAILER_MISSING)
        else:
            ts.segments.append(trailer)
            if len(ts.segments) > self._max_set_segments:
                self._drop_excess(ts)
            if _get(trailer, 2) != ts.control_number:
                self._set_error(
                    ts,
                    f"SE02 {_get(trailer, 2)!r} differs from ST02 {ts.control_number!r}",
                    codes.SET_CONTROL_NUMBER_MISMATCH,
                )
            if _count(_get(trailer, 1)) != ts.count:
                self._set_error(
                    ts,
                    f"SE01 says {_get(trailer, 1) or 'nothing'} segments, counted {ts.count}",
                    codes.SET_SEGMENT_COUNT_WRONG,
                )
        if ts.group.segment_number:  # sets outside a group are reported at interchange level only
            self._out.append(ts)
