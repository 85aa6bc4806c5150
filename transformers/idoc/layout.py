"""Fixed-width record layouts: where each field of a record starts and how long it is.

The two SAP record types every flat IDoc file is made of are defined here with their standard offsets:

* ``EDI_DC40``, the control record (524 characters, one per IDoc);
* ``EDI_DD40``, the data record (1063 characters: a 63-character administration part, then ``SDATA``, the
  segment's 1000 characters of data).

How ``SDATA`` splits into fields depends on the segment; those layouts live in ``transformers.idoc.segments``.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from transformers.idoc.errors import IdocEncodeError


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One field of a fixed-width record: its name, where it starts (0-based) and how many characters it holds."""

    name: str
    offset: int
    length: int

    @property
    def end(self) -> int:
        return self.offset + self.length


Cutter = Callable[[str], tuple[str, ...]]


def _cutter(slices: list[slice]) -> Cutter:
    """One C-level call cutting a record into all ``slices`` (``itemgetter`` returns a single one bare)."""
    cut = operator.itemgetter(*slices)
    return (lambda record: (cut(record),)) if len(slices) == 1 else cut


class _Cutters(dict[tuple[str, ...], Cutter]):
    """Cutters by the names of the fields they cut, each built when first asked for."""

    __slots__ = ("_layout",)

    def __init__(self, layout: RecordLayout) -> None:
        super().__init__()
        self._layout = layout

    def __missing__(self, names: tuple[str, ...]) -> Cutter:
        cutter = self[names] = _cutter([self._layout._slice(name) for name in names])
        return cutter


class RecordLayout:
    """The fields of one record type, in order, with their offsets.

    ``split`` reads a record into ``{field: value}`` (trailing blanks removed, empty fields kept as ``""``);
    ``cutter`` (or ``cutters[names]``, one dictionary lookup) cuts chosen fields out of records; ``join`` writes
    values back into a record of exactly ``size`` characters.
    """

    __slots__ = ("_cut", "_names", "by_name", "cutters", "fields", "name", "size")

    def __init__(self, name: str, fields: Iterable[FieldSpec], *, size: int | None = None) -> None:
        self.name = name
        self.fields = tuple(fields)
        self.by_name = {spec.name: spec for spec in self.fields}
        if len(self.by_name) != len(self.fields):
            raise ValueError(f"layout {name} names a field twice")
        end = max((spec.end for spec in self.fields), default=0)
        self.size = end if size is None else size
        if end > self.size:
            raise ValueError(f"layout {name}: fields reach column {end}, beyond its size {self.size}")
        self._names = tuple(spec.name for spec in self.fields)
        self._cut = _cutter([slice(spec.offset, spec.end) for spec in self.fields]) if self.fields else None
        self.cutters = _Cutters(self)

    @classmethod
    def sequential(cls, name: str, fields: Iterable[tuple[str, int]], *, size: int | None = None) -> RecordLayout:
        """A layout whose fields follow each other without gaps, from ``(name, length)`` pairs."""
        specs = []
        offset = 0
        for field_name, length in fields:
            specs.append(FieldSpec(field_name, offset, length))
            offset += length
        return cls(name, specs, size=size)

    def values(self, record: str) -> list[str]:
        """The record's field values in layout order (trailing blanks removed)."""
        return list(map(str.rstrip, self._cut(record))) if self._cut is not None else []

    def split(self, record: str) -> dict[str, str]:
        """The record's field values by name; a record shorter than the layout reads as blank past its end."""
        if self._cut is None:
            return {}
        return dict(zip(self._names, map(str.rstrip, self._cut(record))))  # noqa: B905 (same length by construction)

    def cutter(self, names: tuple[str, ...]) -> Cutter:
        """A function cutting the fields ``names`` out of a record, in that order and with their trailing blanks.

        A name the layout does not have cuts as ``""``. Built once per layout and tuple of names, for code that
        reads the same fields of many records.
        """
        return self.cutters[names]

    def _slice(self, name: str) -> slice:
        spec = self.by_name.get(name)
        return slice(spec.offset, spec.end) if spec is not None else slice(0, 0)

    def join(self, values: Mapping[str, str], base: str = "") -> str:
        """A record holding ``values``; a value too long or a field not in the layout fails.

        Every field of the layout is written (blank when ``values`` has none). ``base``, the record as it was
        read, keeps what lies outside the layout's fields; the record is ``size`` characters or as long as
        ``base``.
        """
        self.check(values)
        unknown = [name for name, value in values.items() if value and name not in self.by_name]
        if unknown:
            raise IdocEncodeError(f"field {unknown[0]} is not part of the {self.name} layout")
        buffer = list(base.ljust(self.size))
        for spec in self.fields:
            buffer[spec.offset : spec.end] = values.get(spec.name, "").ljust(spec.length)
        return "".join(buffer)

    def check(self, values: Mapping[str, str]) -> None:
        """Fail as ``join`` would, without building the record (for formats that carry fields by name)."""
        for name, value in values.items():
            spec = self.by_name.get(name)
            if spec is not None and len(value) > spec.length:
                raise IdocEncodeError(f"{self.name}-{name} holds {spec.length} characters; {value!r} has {len(value)}")

    def __repr__(self) -> str:
        return f"RecordLayout({self.name!r}, {len(self.fields)} fields, {self.size} characters)"


CONTROL_RECORD = RecordLayout.sequential(
    "EDI_DC40",
    (
        ("TABNAM", 10),
        ("MANDT", 3),
        ("DOCNUM", 16),
        ("DOCREL", 4),
        ("STATUS", 2),
        ("DIRECT", 1),
        ("OUTMOD", 1),
        ("EXPRSS", 1),
        ("TEST", 1),
        ("IDOCTYP", 30),
        ("CIMTYP", 30),
        ("MESTYP", 30),
        ("MESCOD", 3),
        ("MESFCT", 3),
        ("STD", 1),
        ("STDVRS", 6),
        ("STDMES", 6),
        ("SNDPOR", 10),
        ("SNDPRT", 2),
        ("SNDPFC", 2),
        ("SNDPRN", 10),
        ("SNDSAD", 21),
        ("SNDLAD", 70),
        ("RCVPOR", 10),
        ("RCVPRT", 2),
        ("RCVPFC", 2),
        ("RCVPRN", 10),
        ("RCVSAD", 21),
        ("RCVLAD", 70),
        ("CREDAT", 8),
        ("CRETIM", 6),
        ("REFINT", 14),
        ("REFGRP", 14),
        ("REFMES", 14),
        ("ARCKEY", 70),
        ("SERIAL", 20),
    ),
)
"""EDI_DC40, the control record of release 4.0 and later: 524 characters."""

CONTROL_RECORD_LENGTH = CONTROL_RECORD.size
assert CONTROL_RECORD_LENGTH == 524

DATA_HEADER = RecordLayout.sequential(
    "EDI_DD40",
    (("SEGNAM", 30), ("MANDT", 3), ("DOCNUM", 16), ("SEGNUM", 6), ("PSGNUM", 6), ("HLEVEL", 2)),
)
"""The administration part of EDI_DD40, in front of the segment data."""

SDATA_LENGTH = 1000
DATA_RECORD_LENGTH = DATA_HEADER.size + SDATA_LENGTH
assert DATA_RECORD_LENGTH == 1063
