"""Segment layouts from SAP's own definition of an IDoc type, in the "parser" format of transaction WE63.

WE63 (IDoc documentation) writes, for a basic type and release, every segment's fields with their length and
position in the data record::

    BEGIN_SEGMENT E1AFKOL
    ...
    BEGIN_FIELDS
    NAME                AUFNR
    TEXT                Order Number
    TYPE                CHARACTER
    LENGTH              000012
    FIELD_POS           0001
    CHARACTER_FIRST     000064
    CHARACTER_LAST      000075
    NAME                ...
    END_FIELDS
    END_SEGMENT

Positions count from the start of the EDI_DD40 data record, whose segment data starts at position 64. Read
with ``parser_layouts`` and added to a catalog (``BUILTIN_SEGMENTS.with_layouts(...)``), these layouts make
flat files match the partner system's segment definitions field for field.
"""

from __future__ import annotations

from transformers.idoc.layout import DATA_HEADER, SDATA_LENGTH, FieldSpec, RecordLayout

_SDATA_START = DATA_HEADER.size + 1
"""1-based position of the first SDATA character in a data record."""


class _Segment:
    """Fields collected for one segment while reading."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.fields: list[FieldSpec] = []
        self.field: dict[str, str] = {}

    def close_field(self, line: int) -> None:
        if not self.field:
            return
        name = self.field["NAME"]
        try:
            length = int(self.field["LENGTH"])
            first = self.field.get("CHARACTER_FIRST")
            offset = int(first) - _SDATA_START if first else (self.fields[-1].end if self.fields else 0)
        except (KeyError, ValueError):
            raise ValueError(f"line {line}: field {self.name}-{name} has no readable LENGTH or position") from None
        if offset < 0 or offset + length > SDATA_LENGTH:
            raise ValueError(f"line {line}: field {self.name}-{name} lies outside the segment data")
        self.fields.append(FieldSpec(name, offset, length))
        self.field = {}


def parser_layouts(text: str) -> list[RecordLayout]:
    """The segment layouts in a WE63 parser-format description; ``ValueError`` naming the line if unreadable."""
    layouts: list[RecordLayout] = []
    segment: _Segment | None = None
    in_fields = False
    for number, raw in enumerate(text.splitlines(), start=1):
        key, _, value = raw.strip().partition(" ")
        value = value.strip()
        if key == "BEGIN_SEGMENT":
            segment = _Segment(value)
        elif segment is None:
            continue
        elif key == "BEGIN_FIELDS":
            in_fields = True
        elif key == "END_FIELDS":
            segment.close_field(number)
            in_fields = False
        elif key == "END_SEGMENT":
            segment.close_field(number)
            layouts.append(RecordLayout(segment.name, segment.fields, size=SDATA_LENGTH))
            segment = None
        elif in_fields and key == "NAME":
            segment.close_field(number)
            segment.field = {"NAME": value}
        elif in_fields and segment.field and key in ("LENGTH", "CHARACTER_FIRST"):
            segment.field[key] = value
    if segment is not None:
        raise ValueError(f"segment {segment.name} is not closed by END_SEGMENT")
    return layouts
