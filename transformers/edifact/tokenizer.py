"""Streaming tokenizer: a binary stream in, :class:`Segment` objects out, in memory bounded by the chunk size plus
the longest segment.

Segments are cut at the byte level. Every service character is one ASCII byte, and none of the supported character
sets (ISO 8859 parts, UTF-8) uses ASCII bytes inside a multi-byte character, so a terminator byte ends a segment
wherever it occurs unless it is released. Each segment is then decoded on its own: a segment that is not valid in
the interchange's character set is decoded leniently and marked (``Segment.fault``), so only the message holding it
needs to be rejected.

A UNA or UNB at the start of a segment begins a new interchange: service characters and character set are read
again from there, so one file may hold several interchanges, each with its own UNA.

Escapes: in a segment holding the release character, every escape pair ("??", "?'", "?+", "?:", "?*") is replaced
by a lone surrogate code point (which strict decoding never produces) before splitting, and restored on access.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import BinaryIO

from transformers.edifact.codes import SyntaxErrorCode
from transformers.edifact.errors import EdifactSyntaxError
from transformers.edifact.segment import Segment, SegmentSyntax
from transformers.edifact.syntax import LEVEL_A, LEVEL_B, SYNTAX_ENCODINGS, Delimiters, level_defaults

DEFAULT_CHUNK_SIZE = 1 << 17
DEFAULT_MAX_SEGMENT_LENGTH = 1 << 16
_LOOKAHEAD = 256
"""Bytes wanted after a segment start: enough to read a UNA, or the syntax identifier of a UNB."""
_BLANKS = b" \t\r\n"
_BOM = b"\xef\xbb\xbf"
_U = ord("U")

_P_RELEASE, _P_COMPONENT, _P_ELEMENT, _P_SEGMENT, _P_REPETITION = "\ud800", "\ud801", "\ud802", "\ud803", "\ud804"


class SegmentReader:
    """Iterate over the segments of the interchanges in ``stream`` (opened in binary mode).

    While iterating, ``delimiters``, ``una_present``, ``syntax_id``, ``syntax_version``, ``encoding`` and
    ``syntax_supported`` describe the current interchange. An unknown syntax identifier is decoded as latin-1 so
    the envelope layer can still read UNB (and report code 2 with the sender known). After the iteration,
    ``unterminated`` holds the offset and start of data left without a segment terminator (a truncated file).
    """

    def __init__(
        self,
        stream: BinaryIO,
        *,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        max_segment_length: int = DEFAULT_MAX_SEGMENT_LENGTH,
    ) -> None:
        if chunk_size < _LOOKAHEAD:
            raise ValueError(f"chunk_size must be at least {_LOOKAHEAD} bytes")
        self._stream = stream
        self._chunk_size = chunk_size
        self._max_segment_length = max_segment_length
        self.delimiters: Delimiters = LEVEL_A
        self.una_present = False
        self.syntax_id = ""
        self.syntax_version = ""
        self.encoding = "latin-1"
        self.syntax_supported = False
        self.segment_count = 0
        """Segments read in the current interchange (UNB is 1)."""
        self.unterminated: tuple[int, bytes] | None = None
        self._una_pending = False
        self._sniffed_at = -1
        self._configure()

    def __iter__(self) -> Iterator[Segment]:
        return self._segments()

    def take_unterminated(self) -> tuple[int, bytes] | None:
        """The unterminated tail (offset, start), once: whoever reports it takes it."""
        tail, self.unterminated = self.unterminated, None
        return tail

    # -- reading -----------------------------------------------------------------------------------------------

    def _read(self) -> bytes:
        data = self._stream.read(self._chunk_size)
        if isinstance(data, str):
            raise TypeError("the stream must be opened in binary mode")
        return bytes(data)

    def _segments(self) -> Iterator[Segment]:
        buf, base, pos, eof = b"", 0, 0, False
        max_len = self._max_segment_length
        while True:
            if not eof and len(buf) - pos < _LOOKAHEAD:
                data = self._read()
                eof = not data
                buf, base, pos = buf[pos:] + data, base + pos, 0
                if base == 0 and buf.startswith(_BOM):
                    pos = len(_BOM)
            if pos >= len(buf):
                return
            first = buf[pos]
            if first in _BLANKS:
                pos += 1
                continue
            if first == _U and buf.startswith(b"UN", pos) and buf[pos + 2 : pos + 3] in (b"A", b"B"):
                moved = self._sniff(buf, pos, base)
                if moved != pos:
                    pos = moved
                    continue
            term, rel = self._term, self._rel_byte
            end = buf.find(term, pos)
            while end > pos and rel is not None and buf[end - 1] == rel and _released(buf, pos, end, rel):
                end = buf.find(term, end + 1)
            if end < 0:
                if eof:
                    self.unterminated = (base + pos, buf[pos : pos + 40])
                    return
                if len(buf) - pos > max_len:
                    raise EdifactSyntaxError(
                        f"no segment terminator {self.delimiters.segment!r} within {max_len} bytes "
                        "(wrong service characters, or not an EDIFACT file?)",
                        SyntaxErrorCode.UNSPECIFIED,
                        level="interchange",
                        segment_position=self.segment_count + 1,
                        offset=base + pos,
                    )
                data = self._read()
                eof = not data
                buf, base, pos = buf[pos:] + data, base + pos, 0
                continue
            yield self._segment(buf[pos:end], base + pos)
            pos = end + 1

    def _segment(self, raw: bytes, offset: int) -> Segment:
        self.segment_count += 1
        fault = None
        try:
            text = raw.decode(self.encoding)
        except UnicodeDecodeError as exc:
            fault = (
                f"byte {raw[exc.start]:#04x} at byte {offset + exc.start} is not valid in "
                f"{self.syntax_id or 'the character set'} ({self.encoding})"
            )
            text = raw.decode(self.encoding, errors="replace")
        if self._strip_cr and text.endswith("\r"):
            text = text[:-1]
        if self._rel and self._rel in text:
            return Segment(self._protect(text).split(self._elem), self.segment_count, self._escaped, offset, fault)
        return Segment(text.split(self._elem), self.segment_count, self._plain, offset, fault)

    # -- service characters ------------------------------------------------------------------------------------

    def _sniff(self, buf: bytes, pos: int, base: int) -> int:
        """At a UNA or UNB: read the service characters and character set; return where the next segment starts."""
        if buf[pos + 2] == ord("A"):
            una = buf[pos : pos + 9]
            if len(una) < 9 or not una.isascii():
                raise EdifactSyntaxError(
                    f"malformed UNA service string advice {una!r}",
                    SyntaxErrorCode.INVALID_SERVICE_CHARACTER,
                    level="interchange",
                    segment_tag="UNA",
                    offset=base + pos,
                )
            try:
                self.delimiters = Delimiters.from_una(una.decode("ascii"))
            except EdifactSyntaxError as exc:
                exc.offset = base + pos
                raise
            self._una_pending = True
            self._configure()
            return pos + 9
        if base + pos == self._sniffed_at:
            return pos
        self._sniffed_at = base + pos
        separator = buf[pos + 3 : pos + 4].decode("latin-1")
        if self._una_pending:
            layout = self.delimiters
        else:
            layout = LEVEL_B if separator == LEVEL_B.element else LEVEL_A
        syntax_id, version = _syntax_identifier(buf[pos + 4 : pos + _LOOKAHEAD], layout)
        if not self._una_pending:
            self.delimiters = level_defaults(separator, version)
        self.una_present, self._una_pending = self._una_pending, False
        self.syntax_id, self.syntax_version = syntax_id, version
        encoding = SYNTAX_ENCODINGS.get(syntax_id)
        self.syntax_supported = encoding is not None
        self.encoding = encoding or "latin-1"
        self.segment_count = 0
        self._configure()
        return pos

    def _configure(self) -> None:
        """Cache what the hot loop needs for the current service characters."""
        delims = self.delimiters
        self._term = delims.segment.encode("ascii")
        self._elem = delims.element
        self._rel = delims.release
        self._rel_byte = ord(delims.release) if delims.release else None
        self._strip_cr = delims.segment == "\n"
        repetition = delims.repetition if self.syntax_version == "4" else ""
        self._plain = SegmentSyntax(delims.component, repetition)
        self._protect, self._escaped = _escaping(delims, self._plain)


def _released(buf: bytes, start: int, end: int, rel: int) -> bool:
    """True when the byte at ``end`` follows an odd run of release characters (so it is data, not a separator)."""
    run = 0
    index = end - 1
    while index >= start and buf[index] == rel:
        run += 1
        index -= 1
    return run % 2 == 1


def _syntax_identifier(head: bytes, layout: Delimiters) -> tuple[str, str]:
    """Syntax identifier and version from the bytes after ``UNB`` + element separator."""
    text = head.decode("latin-1")
    for stop in (layout.element, layout.segment):
        text = text.split(stop, 1)[0]
    parts = text.split(layout.component)
    return parts[0], parts[1] if len(parts) > 1 else ""


def _escaping(delims: Delimiters, plain: SegmentSyntax) -> tuple[Callable[[str], str], SegmentSyntax]:
    """A function protecting escape pairs in a segment, and the syntax restoring them."""
    rel = delims.release
    if not rel:
        return (lambda text: text), plain
    pairs = [(rel + rel, _P_RELEASE)]
    restore: dict[int, str | None] = {ord(_P_RELEASE): rel, ord(rel): None}  # a lone release character is dropped
    for char, placeholder in (
        (delims.segment, _P_SEGMENT),
        (delims.element, _P_ELEMENT),
        (delims.component, _P_COMPONENT),
        (delims.repetition, _P_REPETITION),
    ):
        if char:
            pairs.append((rel + char, placeholder))
            restore[ord(placeholder)] = char

    def protect(text: str) -> str:
        for pair, placeholder in pairs:
            if pair in text:
                text = text.replace(pair, placeholder)
        return text

    return protect, SegmentSyntax(plain.component, plain.repetition, restore)


def tokenize(data: bytes, **options: int) -> list[Segment]:
    """All segments of an in-memory interchange (for tests and small files)."""
    return list(SegmentReader(io.BytesIO(data), **options))
