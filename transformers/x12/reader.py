"""Streaming tokenizer: a binary file-like object in, segments (lists of element strings) out.

The stream is read in chunks and decoded incrementally, so memory stays bounded by the chunk size plus the
longest segment, whatever the file size. Each interchange's separators come from its own ISA segment; a file
may hold several interchanges, each with different separators. CR/LF right after a segment terminator (files
broken into lines for people) are skipped.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Generator, Iterator
from typing import BinaryIO

from transformers.x12 import codes
from transformers.x12.errors import InterchangeError
from transformers.x12.isa import ISA_LENGTH, InterchangeHeader, parse_isa

DEFAULT_CHUNK_SIZE = 1 << 13
"""8 KiB: big enough to amortize a read and the scans of the text, small enough to stay in the CPU caches."""
_BATCH_SIZE = 128
"""Segments split into element lists at a time (about four 856 sets), so that they are read while still in the
CPU caches: splitting all ~450 segments of an 8 KiB chunk before reading any made a pass 1 to 5 % slower (the
more so when other processes share the caches)."""
DEFAULT_MAX_SEGMENT_LENGTH = 1 << 20
"""No real segment comes near a megabyte; a longer run without a terminator means the file is not X12."""

_LINE_BREAKS = "\r\n"
_BETWEEN_INTERCHANGES = " \t\r\n\x00\ufeff"
_BOUNDARY_TAGS = ("IEA", "ISA")
_MAY_HOLD_BOUNDARY = re.compile("I[ES]A").search
"""Whether text may hold an IEA or ISA: one regex scan is several times cheaper than two ``in`` tests."""
_ISA_LOOKAHEAD = 64
"""Characters read past the 106 of an ISA, to read a malformed one as far as possible for the error report."""


class SegmentReader:
    """Iterate over the segments of every interchange in ``stream``.

    ``header`` is the ISA of the interchange being read: it changes when an ``ISA`` segment is yielded. An ISA
    met before the IEA of the interchange before it starts a new interchange (the envelope reader reports the
    missing IEA). Raises :class:`InterchangeError` for a bad ISA, undecodable bytes, a segment cut off by the end
    of the file or a segment longer than ``max_segment_length``; the stream cannot be read further after that.
    """

    def __init__(
        self,
        stream: BinaryIO,
        *,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        encoding: str = "utf-8",
        max_segment_length: int = DEFAULT_MAX_SEGMENT_LENGTH,
    ) -> None:
        if chunk_size < 1:
            raise ValueError("chunk_size must be positive")
        self._stream = stream
        self._chunk_size = chunk_size
        self._encoding = encoding
        self._decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        self._max_segment_length = max_segment_length
        self._bytes_read = 0
        self._eof = False
        self.header: InterchangeHeader | None = None

    def _read(self) -> str:
        """The next decoded chunk; ``""`` once the stream is exhausted."""
        while not self._eof:
            data = self._stream.read(self._chunk_size)
            offset = self._bytes_read
            self._bytes_read += len(data)
            self._eof = not data
            try:
                text = self._decoder.decode(data, self._eof)
            except UnicodeDecodeError as exc:
                raise InterchangeError(
                    f"bytes at offset {max(offset + exc.start, 0)} are not valid {self._encoding}: {exc.reason}",
                    note_code=codes.TA1_INVALID_CONTENT,
                    header=self.header,
                ) from None
            if text:
                return text
        return ""

    def __iter__(self) -> Iterator[list[str]]:
        for batch in self.batches():
            yield from batch

    def batches(self) -> Iterator[list[list[str]]]:
        """The segments in lists of up to ``_BATCH_SIZE``: cheaper to consume than one segment at a time."""
        buffer: str | None = ""
        interchanges = 0
        while buffer is not None:
            buffer = buffer.lstrip(_BETWEEN_INTERCHANGES)
            while not buffer and not self._eof:
                buffer = self._read().lstrip(_BETWEEN_INTERCHANGES)
            if not buffer:
                if interchanges == 0:
                    raise InterchangeError("the file is empty: no ISA segment", note_code=codes.TA1_PREMATURE_END)
                return
            while len(buffer) < ISA_LENGTH + _ISA_LOOKAHEAD and not self._eof:
                buffer += self._read()
            self.header = None
            header = parse_isa(buffer[: ISA_LENGTH + _ISA_LOOKAHEAD])
            self.header = header
            interchanges += 1
            yield [buffer[: ISA_LENGTH - 1].split(header.separators.element)]
            buffer = yield from self._interchange(buffer[ISA_LENGTH:], header)

    def _interchange(self, buffer: str, header: InterchangeHeader) -> Generator[list[list[str]], None, str | None]:
        """Segments up to the IEA; returns the text after it (``None`` at the end of the stream)."""
        element, terminator = header.separators.element, header.separators.segment
        while True:
            line_breaks = "\n" in buffer or "\r" in buffer
            boundary = _MAY_HOLD_BOUNDARY(buffer) is not None
            parts = buffer.split(terminator)
            buffer = parts.pop()
            if line_breaks:
                parts = [part.lstrip(_LINE_BREAKS) for part in parts]
            if "" in parts:  # empty segments (doubled terminators) are skipped
                parts = [part for part in parts if part]
            if boundary:
                candidates = [i for i, part in enumerate(parts) if part.startswith(_BOUNDARY_TAGS)]
                end = next((i for i in candidates if _ends_interchange(parts[i], element)), None)
                if end is not None:
                    if parts[end][:3] == "IEA":
                        end += 1
                    yield [part.split(element) for part in parts[:end]]
                    return terminator.join([*parts[end:], buffer])
            for at in range(0, len(parts), _BATCH_SIZE):
                yield [part.split(element) for part in parts[at : at + _BATCH_SIZE]]
            if len(buffer) > self._max_segment_length:
                raise InterchangeError(
                    f"no segment terminator {terminator!r} within {self._max_segment_length} characters",
                    note_code=codes.TA1_INVALID_SEGMENT_TERMINATOR,
                    header=header,
                )
            chunk = self._read()
            if not chunk:
                if buffer.strip(_LINE_BREAKS):
                    raise InterchangeError(
                        f"the file ends inside a segment: {buffer[:40]!r} has no terminator {terminator!r}",
                        note_code=codes.TA1_PREMATURE_END,
                        header=header,
                    )
                return None
            buffer += chunk


def _ends_interchange(part: str, element: str) -> bool:
    """The segment is an IEA, or the ISA of the next interchange (whose separators may differ)."""
    if part[:3] == "IEA":
        return len(part) == 3 or part[3] == element
    return part[:3] == "ISA" and len(part) > 3 and not part[3].isalnum()
