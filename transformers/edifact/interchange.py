"""Reading the interchanges of a stream one message at a time: the envelope's state machine.

Reading always goes on to the end of an interchange (its UNZ, or the next UNB) so the next one can be read. Once
an interchange-level error is found no further messages of it are yielded; because UNZ comes last, messages
yielded before are only provisionally valid: look at the ``report`` once the iteration is over.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from typing import BinaryIO

from transformers.edifact import service
from transformers.edifact.codes import SyntaxErrorCode
from transformers.edifact.envelope import DEFAULT_MAX_MESSAGE_SEGMENTS, GroupStatus, InterchangeReport, Message
from transformers.edifact.errors import EdifactError, EdifactSyntaxError
from transformers.edifact.segment import Segment
from transformers.edifact.service import envelope_error
from transformers.edifact.tokenizer import DEFAULT_CHUNK_SIZE, DEFAULT_MAX_SEGMENT_LENGTH, SegmentReader

_TAG = re.compile(r"[A-Z][A-Z0-9]{2}")
_USER, _UNT, _SERVICE, _INVALID = 0, 1, 2, 3
_SERVICE_TAGS = ("UNA", "UNB", "UNZ", "UNG", "UNE", "UNH")
_TAG_CACHE_LIMIT = 4096


class EnvelopeReader:
    """Iterate over the interchanges of a stream; iterate each to get its messages, then read its ``report``.

    Each interchange must be consumed before the next is taken (the next step does so when it was not). Data
    outside any interchange (before a UNB, after a UNZ) comes as :class:`StrayData`, an interchange without
    header, rejected. ``recipients``, when given, are the recipient ids accepted in UNB (else code 7).
    """

    def __init__(
        self,
        stream: BinaryIO,
        *,
        recipients: Collection[str] | None = None,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        max_segment_length: int = DEFAULT_MAX_SEGMENT_LENGTH,
        max_message_segments: int = DEFAULT_MAX_MESSAGE_SEGMENTS,
    ) -> None:
        self.tokens = SegmentReader(stream, chunk_size=chunk_size, max_segment_length=max_segment_length)
        self._recipients = recipients
        self._max_message_segments = max_message_segments
        self._failure: EdifactSyntaxError | None = None

    def __iter__(self) -> Iterator[InterchangeReader | StrayData]:
        segments = iter(self.tokens)
        pending = next(segments, None)  # an error here means nothing in the stream is readable: it propagates
        while pending is not None:
            if pending.tag == "UNB":
                interchange = InterchangeReader(
                    pending, segments, self.tokens, self._recipients, self._max_message_segments
                )
                yield interchange
                for _ in interchange:  # consume what the caller left
                    pass
                if interchange.report.unreadable:
                    return
                pending = interchange.following or self._next(segments)
            else:
                stray = StrayData.read(pending, segments)
                yield stray
                if stray.report.unreadable:
                    return
                pending = stray.following
        if self._failure is not None:
            yield StrayData.unreadable(self._failure)
        tail = self.tokens.take_unterminated()
        if tail is not None:
            yield StrayData.unterminated(*tail)

    def _next(self, segments: Iterator[Segment]) -> Segment | None:
        try:
            return next(segments, None)
        except EdifactSyntaxError as exc:
            self._failure = exc
            return None


class StrayData:
    """Data outside any interchange (segments before a UNB or after a UNZ, or bytes that cannot be cut into
    segments): reported once, as a rejected interchange without header."""

    header = None

    def __init__(self, error: EdifactError, following: Segment | None = None, unreadable: bool = False) -> None:
        self.report = InterchangeReport(unreadable=unreadable)
        self.report.fail(error)
        self.following = following
        """The UNB that ends the stray data, to be read next."""

    @classmethod
    def read(cls, first: Segment, segments: Iterator[Segment]) -> StrayData:
        """Skip segments up to the next UNB."""
        count = 1
        try:
            for segment in segments:
                if segment.tag == "UNB":
                    return cls(cls._error(first, count), segment)
                count += 1
        except EdifactSyntaxError as exc:
            return cls.unreadable(exc)
        return cls(cls._error(first, count))

    @classmethod
    def unreadable(cls, error: EdifactError) -> StrayData:
        return cls(error, unreadable=True)

    @classmethod
    def unterminated(cls, offset: int, start: bytes) -> StrayData:
        """Data at the end of the stream that no segment terminator ends."""
        error = EdifactSyntaxError(
            f"the file ends in {start.decode('latin-1')!r}, which has no segment terminator (truncated file?)",
            SyntaxErrorCode.MISSING,
            level="interchange",
            offset=offset,
        )
        return cls(error)

    @staticmethod
    def _error(first: Segment, count: int) -> EdifactSyntaxError:
        error = envelope_error(
            f"{count} segment(s) outside any interchange (UNB...UNZ), the first starting with {first.tag[:10]!r}",
            SyntaxErrorCode.INVALID_OCCURRENCE_OUTSIDE_MESSAGE,
            first,
        )
        error.segment_position = None  # positions count from a UNB; the offset says where
        return error

    def __iter__(self) -> Iterator[Message]:
        return iter(())


class InterchangeReader:
    """One interchange, from its UNB: iterate to get its messages; ``report`` is final after the iteration."""

    def __init__(
        self,
        unb: Segment,
        segments: Iterator[Segment],
        tokens: SegmentReader,
        recipients: Collection[str] | None,
        max_message_segments: int,
    ) -> None:
        self._segments = segments
        self._tokens = tokens
        self._max_message_segments = max_message_segments
        self.following: Segment | None = None
        """The UNB that ended this interchange early (it had no UNZ), to be read next."""
        self._tags: dict[str, int] = {tag: _SERVICE for tag in _SERVICE_TAGS}
        self._tags["UNT"] = _UNT
        self.header, error = service.read_unb(unb, tokens, recipients)
        self.report = InterchangeReport(header=self.header)
        if error is not None:
            self.report.fail(error)
        self._messages = self._read()

    def __iter__(self) -> Iterator[Message]:
        return self._messages

    def _read(self) -> Iterator[Message]:
        try:
            yield from self._walk()
        except EdifactSyntaxError as exc:  # the tokenizer cannot go on: the rest of the stream is unreadable
            self.report.unreadable = True
            self.report.fail(exc)

    def _walk(self) -> Iterator[Message]:
        report = self.report
        tags = self._tags
        limit = self._max_message_segments
        version = self.header.syntax_version
        message: Message | None = None
        group: GroupStatus | None = None
        grouped: bool | None = None
        references: set[str] = set()
        group_count = 0
        for segment in self._segments:
            tag = segment.tag
            kind = tags.get(tag)
            if kind is None:
                kind = self._classify(tag)
            if message is not None:
                if kind == _USER or kind == _INVALID:
                    message.segment_count += 1
                    if message.segment_count <= limit:
                        message.segments.append(segment)
                    if message.error is None and (kind == _INVALID or segment.fault is not None):
                        message.error = service.segment_error(message, segment, kind == _INVALID)
                    continue
                if kind == _UNT:
                    message.segment_count += 1
                    message.segments.append(segment)
                    message.error = message.error or service.unt_error(message, segment, limit)
                else:
                    message.error = message.error or envelope_error(
                        f"message {message.reference!r} has no UNT before {tag}",
                        SyntaxErrorCode.MISSING,
                        level="message",
                        tag="UNT",
                        position=message.segment_count + 1,
                    )
                if report.error is None:
                    yield message
                message = None
                if kind == _UNT:
                    continue
            if tag == "UNH":
                if grouped and group is None:
                    report.fail(self._mixed("UNH outside a group in an interchange that uses groups", segment))
                grouped = bool(grouped)
                report.message_count += 1
                message = service.read_unh(segment, report.message_count, group, references, version)
            elif tag == "UNG":
                if grouped is False:
                    report.fail(self._mixed("UNG after messages outside groups", segment))
                self._close_group(group, None, segment)
                grouped = True
                group_count += 1
                group = service.read_ung(segment, report.message_count + 1)
                report.groups.append(group)
            elif tag == "UNE":
                if group is None:
                    report.fail(envelope_error("UNE without UNG", SyntaxErrorCode.NOT_SUPPORTED_IN_POSITION, segment))
                self._close_group(group, segment, segment)
                group = None
            elif tag == "UNZ":
                self._close_group(group, None, segment)
                expected = group_count if grouped else report.message_count
                error = service.unz_error(segment, self.header, expected, bool(grouped))
                if error is not None:
                    report.fail(error)
                report.complete = True
                return
            elif tag == "UNB":
                self.following = segment
                reason = "the interchange has no UNZ before the next UNB (truncated interchange?)"
                report.fail(envelope_error(reason, SyntaxErrorCode.MISSING, tag="UNZ", position=segment.position))
                return
            elif kind == _USER:
                report.fail(
                    envelope_error(
                        f"segment {tag} outside a message (between UNT and UNH)",
                        SyntaxErrorCode.INVALID_OCCURRENCE_OUTSIDE_MESSAGE,
                        segment,
                    )
                )
            else:
                report.fail(
                    envelope_error(
                        f"invalid segment tag {tag[:10]!r}", SyntaxErrorCode.INVALID_VALUE, segment, element=0
                    )
                )
        if message is not None:
            message.error = message.error or envelope_error(
                f"message {message.reference!r} has no UNT",
                SyntaxErrorCode.MISSING,
                level="message",
                tag="UNT",
                position=message.segment_count + 1,
            )
            if report.error is None:
                yield message
        report.fail(self._truncated())

    @staticmethod
    def _mixed(reason: str, segment: Segment) -> EdifactSyntaxError:
        return envelope_error(reason, SyntaxErrorCode.GROUPS_AND_MESSAGES_MIXED, segment)

    @staticmethod
    def _close_group(group: GroupStatus | None, une: Segment | None, at: Segment) -> None:
        if group is not None:
            error = service.une_error(group, une, at)
            if error is not None:
                group.fail(error)

    def _truncated(self) -> EdifactSyntaxError:
        reason = "the interchange ends without UNZ (truncated file?)"
        unterminated = self._tokens.take_unterminated()
        offset = None
        if unterminated is not None:
            offset, start = unterminated
            reason += f"; it ends in {start.decode('latin-1')!r}, which has no segment terminator"
        error = envelope_error(reason, SyntaxErrorCode.MISSING, tag="UNZ", position=self._tokens.segment_count + 1)
        error.offset = offset
        return error

    def _classify(self, tag: str) -> int:
        kind = _USER if _TAG.fullmatch(tag) else _INVALID
        if len(self._tags) < _TAG_CACHE_LIMIT:
            self._tags[tag] = kind
        return kind
