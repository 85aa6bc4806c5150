"""IDoc flat files: fixed-width EDI_DC40 control records followed by the EDI_DD40 data records of each IDoc.

One record per line (LF or CRLF). Each IDoc starts with its 524-character control record; each of its
segments is a 1063-character data record. The hierarchy is rebuilt from each record's parent segment number
(PSGNUM) and hierarchy level (HLEVEL); when PSGNUM is blank, HLEVEL alone places the segment under the
nearest segment one level up. A file may hold several IDocs; ``read_flat`` yields them one at a time, so
only the IDoc being read is in memory.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from transformers.decoding import DecodeFailed
from transformers.idoc.errors import IdocEncodeError, decode_failed
from transformers.idoc.layout import (
    CONTROL_RECORD,
    CONTROL_RECORD_LENGTH,
    DATA_RECORD_LENGTH,
    SDATA_LENGTH,
    RecordLayout,
)
from transformers.idoc.model import ControlRecord, Idoc, Segment
from transformers.idoc.segments import BUILTIN_SEGMENTS, SegmentCatalog

CHUNK_SIZE = 1 << 16
"""Bytes read at a time: large enough to amortise the reads, small enough to stay in the CPU caches."""
TOP_LEVEL = 2
"""HLEVEL of the segments directly below the control record (level 1 is the IDoc itself)."""
MAX_LEVEL = 99
"""HLEVEL has two digits."""


def read_flat(
    stream: BinaryIO, *, encoding: str = "utf-8", segments: SegmentCatalog = BUILTIN_SEGMENTS
) -> Iterator[Idoc]:
    """Yield the IDocs of a flat file one by one.

    Raises ``DecodeFailed`` naming the line (and IDoc, segment) for anything that is not a well-formed IDoc
    flat file: not starting with a control record, a record of the wrong length, a segment whose parent is
    missing, a bad segment number, bytes that are not ``encoding``.
    """
    layouts = {name: segments[name] for name in segments}
    names: dict[str, str] = {}
    builder: _IdocBuilder | None = None
    for first, lines in _line_batches(stream, encoding):
        for number, line in enumerate(lines, first):
            if not line:
                continue
            if line[:6] == "EDI_DC":
                if builder is not None:
                    yield builder.idoc
                builder = _IdocBuilder(_control_record(line, number), number, layouts, names)
            elif builder is None:
                raise decode_failed(
                    f"not an IDoc flat file: it must start with an EDI_DC40 control record, found {line[:40]!r}",
                    line=number,
                )
            else:
                builder.add(line, number)
    if builder is None:
        raise decode_failed("not an IDoc flat file: it holds no EDI_DC40 control record")
    yield builder.idoc


def _line_batches(stream: BinaryIO, encoding: str) -> Iterator[tuple[int, list[str]]]:
    """The stream's lines without their line ends (LF or CRLF), decoded and cut a large chunk at a time; each
    batch comes with the number of its first line."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    pending = ""
    offset = 0
    number = 1
    while True:
        chunk = stream.read(CHUNK_SIZE)
        if not isinstance(chunk, bytes | bytearray):
            raise TypeError("read_flat takes a binary stream (open the file with 'rb')")
        try:
            text = decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as exc:
            before = pending + exc.object[: exc.start].decode(encoding, "replace")
            raise decode_failed(
                f"byte {offset + exc.start} is not valid {encoding} ({exc.reason}): not a text IDoc file in {encoding}",
                line=number + before.count("\n"),
            ) from None
        offset += len(chunk)
        lines, pending = _cut_lines(pending, text)
        if lines:
            yield number, lines
            number += len(lines)
        if not chunk:
            break
    if pending:
        yield number, [pending.removesuffix("\r")]


def _cut_lines(pending: str, text: str) -> tuple[list[str], str]:
    """The complete lines of ``pending + text`` without their line ends, and the incomplete rest.

    Cut with ``str.find``, which scans with memchr, rather than ``str.split``, which tests one character at a
    time: on records of 1063 characters that is most of the cost of reading a file.
    """
    find = text.find
    end = find("\n")
    if end < 0:
        return [], pending + text
    lines = [pending + text[:end]]
    start = end + 1
    while (end := find("\n", start)) >= 0:
        lines.append(text[start:end])
        start = end + 1
    if "\r" in text or "\r" in pending:
        lines = [line.removesuffix("\r") for line in lines]
    return lines, text[start:]


def _control_record(line: str, number: int) -> ControlRecord:
    if line[:10].rstrip() != "EDI_DC40":
        raise decode_failed(
            f"control record {line[:10].rstrip()!r} is not supported: only EDI_DC40 (IDoc release 4.0 and later) "
            "is read; have the port write IDoc record types of release 4.x",
            line=number,
        )
    if len(line) != CONTROL_RECORD_LENGTH:
        raise decode_failed(
            f"the EDI_DC40 control record is {len(line)} characters long, it must be {CONTROL_RECORD_LENGTH}: "
            "the file is truncated or its records were reformatted",
            line=number,
        )
    control = ControlRecord(*CONTROL_RECORD.values(line))
    if not control.IDOCTYP:
        raise decode_failed("the control record names no IDoc type (IDOCTYP)", line=number, docnum=control.docnum)
    return control


class _IdocBuilder:
    """Rebuilds one IDoc's segment tree from its data records, checking numbers and parents as it goes.

    This runs once per record of every file, so the common case (numbers present, parent given by PSGNUM)
    takes the shortest path and the checks that name a problem only run when something is off.
    """

    __slots__ = ("_by_number", "_docnum", "_last_at_level", "_last_segnum", "_layouts", "_names", "_top", "idoc")

    def __init__(self, control: ControlRecord, line: int, layouts: dict[str, RecordLayout], names: dict[str, str]):
        self.idoc = Idoc(control, [], line)
        self._docnum = control.DOCNUM.ljust(16)
        self._layouts = layouts
        self._names = names
        self._by_number: dict[int, Segment] = {}
        self._last_at_level: dict[int, Segment] = {}
        self._last_segnum = 0
        self._top = 0

    def add(self, line: str, number: int) -> None:
        if len(line) != DATA_RECORD_LENGTH:
            raise self._fail(
                f"data record is {len(line)} characters long, an EDI_DD40 record is {DATA_RECORD_LENGTH}: "
                "the file is truncated or its trailing blanks were stripped",
                number,
            )
        name = self._names.get(line[:30]) or self._name(line, number)
        if not line.startswith(self._docnum, 33):
            self._check_docnum(line[33:49], name, number)
        numbers = line[49:63]
        if numbers.isdigit() and numbers.isascii():
            value = int(numbers)  # SEGNUM, PSGNUM and HLEVEL: 6 + 6 + 2 digits
            segnum, psgnum, hlevel = value // 100_000_000, value // 100 % 1_000_000, value % 100
        else:
            segnum, psgnum, hlevel = (
                self._number(numbers[:6], "SEGNUM", name, number),
                self._number(numbers[6:12], "PSGNUM", name, number),
                self._number(numbers[12:], "HLEVEL", name, number),
            )
        if not segnum:
            segnum = self._last_segnum + 1
        elif segnum <= self._last_segnum:
            raise self._fail(
                f"SEGNUM {segnum:06d} does not follow SEGNUM {self._last_segnum:06d}: "
                "segment numbers must increase through the IDoc",
                number,
                name,
            )
        segment = Segment(name, None, [], line[63:], self._layouts.get(name), segnum, psgnum, hlevel)
        parent = self._by_number.get(psgnum) if psgnum else self._level_parent(segment, number)
        if parent is None:
            if psgnum:
                raise self._fail(
                    f"parent segment {psgnum:06d} (PSGNUM) does not precede this segment in the IDoc: "
                    "a segment must follow its parent",
                    number,
                    name,
                    segnum,
                )
            segment.hlevel = hlevel or self._top or TOP_LEVEL
            self._top = self._top or segment.hlevel
            self.idoc.segments.append(segment)
        else:
            if not hlevel:
                segment.hlevel = parent.hlevel + 1
                if segment.hlevel > MAX_LEVEL:
                    raise self._fail(f"segments nest deeper than HLEVEL {MAX_LEVEL}", number, name, segnum)
            elif hlevel != parent.hlevel + 1:
                raise self._fail(
                    f"HLEVEL {hlevel:02d} does not fit below parent segment {parent.name} {parent.segnum:06d} "
                    f"at HLEVEL {parent.hlevel:02d}",
                    number,
                    name,
                    segnum,
                )
            segment.psgnum = parent.segnum
            parent.children.append(segment)
        self._by_number[segnum] = segment
        self._last_at_level[segment.hlevel] = segment
        self._last_segnum = segnum

    def _level_parent(self, segment: Segment, number: int) -> Segment | None:
        """Without PSGNUM: the segment one HLEVEL up that is still open, or None for a top-level segment."""
        level = segment.hlevel
        if not level or not self._top or level <= self._top:
            return None
        parent = self._last_at_level.get(level - 1)
        closed = parent is not None and any(
            other.segnum > parent.segnum for at, other in self._last_at_level.items() if at < level - 1
        )
        if parent is None or closed:
            raise self._fail(
                f"no parent segment: HLEVEL {level:02d} needs a segment at HLEVEL {level - 1:02d} before it",
                number,
                segment.name,
                segment.segnum,
            )
        return parent

    def _name(self, line: str, number: int) -> str:
        name = line[:30].rstrip()
        if not name:
            raise self._fail("data record without a segment name (SEGNAM)", number)
        if name in self._layouts:
            self._names[line[:30]] = name
        return name

    def _check_docnum(self, record_docnum: str, name: str, number: int) -> None:
        if record_docnum.strip() not in ("", self.idoc.docnum):
            raise self._fail(
                f"segment {name} belongs to IDoc {record_docnum.strip()} but follows the control record of "
                f"IDoc {self.idoc.docnum}: each IDoc's data records must follow its own control record",
                number,
            )

    def _number(self, text: str, field: str, name: str, line: int) -> int:
        if text.isascii() and text.isdigit():
            return int(text)
        if not text.strip():
            return 0
        raise decode_failed(
            f"{field} {text!r} is not a number", line=line, docnum=self.idoc.docnum, segment=name, field=field
        )

    def _fail(self, reason: str, line: int, segment: str | None = None, segnum: int | None = None) -> DecodeFailed:
        return decode_failed(reason, line=line, docnum=self.idoc.docnum, segment=segment, segnum=segnum)


def write_flat(
    idocs: Iterable[Idoc],
    stream: BinaryIO,
    *,
    encoding: str = "utf-8",
    segments: SegmentCatalog = BUILTIN_SEGMENTS,
    newline: str = "\n",
) -> None:
    """Write IDocs as a flat file, numbering each IDoc's segments afresh (SEGNUM, PSGNUM, HLEVEL)."""
    for idoc in idocs:
        stream.write(newline.join(_records(idoc, segments)).encode(encoding) + newline.encode(encoding))


def flat_bytes(
    idocs: Iterable[Idoc],
    *,
    encoding: str = "utf-8",
    segments: SegmentCatalog = BUILTIN_SEGMENTS,
    newline: str = "\n",
) -> bytes:
    """The flat file of ``idocs`` as bytes (see ``write_flat``)."""
    buffer = io.BytesIO()
    write_flat(idocs, buffer, encoding=encoding, segments=segments, newline=newline)
    return buffer.getvalue()


def _records(idoc: Idoc, segments: SegmentCatalog) -> Iterator[str]:
    control = idoc.control
    yield CONTROL_RECORD.join(control.as_dict())
    prefix_mandt = control.MANDT.ljust(3)[:3]
    docnum = control.DOCNUM.ljust(16)
    counter = 0

    def walk(nodes: list[Segment], parent: int, level: int) -> Iterator[str]:
        nonlocal counter
        for segment in nodes:
            counter += 1
            if counter > 999_999:
                raise IdocEncodeError(f"IDoc {idoc.docnum} has more than 999999 segments")
            own = counter
            if level > MAX_LEVEL:
                raise IdocEncodeError(f"segment {segment.name} nests deeper than HLEVEL {MAX_LEVEL}")
            if len(segment.name) > 30:
                raise IdocEncodeError(f"segment name {segment.name!r} is longer than 30 characters")
            yield (
                f"{segment.name:<30}{prefix_mandt}{docnum}{own:06d}{parent:06d}{level:02d}{_sdata(segment, segments)}"
            )
            yield from walk(segment.children, own, level + 1)

    yield from walk(idoc.segments, 0, TOP_LEVEL)


def _sdata(segment: Segment, segments: SegmentCatalog) -> str:
    layout = segments.get(segment.name)
    if segment.known:
        if layout is None:
            raise IdocEncodeError(
                f"segment {segment.name} has no known layout, so it cannot be written to a flat file; "
                "add its layout to the segment catalog"
            )
        return layout.join(segment.fields, segment.sdata or "").ljust(SDATA_LENGTH)
    return (segment.sdata or "").ljust(SDATA_LENGTH)
