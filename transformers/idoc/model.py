"""The generic IDoc: a control record and a tree of segments, the same whether read from a flat file or XML.

Every IDoc type reads into this model, mapped to a canonical message or not, so code can inspect any IDoc
(``idoc.first("E1AFKOL").get("AUFNR")``). Segments whose layout is unknown keep their raw ``SDATA``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime, tzinfo
from itertools import repeat

from transformers.idoc.layout import RecordLayout
from transformers.idoc.values import ValueFormatError, parse_datetime


@dataclass(slots=True)
class ControlRecord:
    """EDI_DC40: who sent the IDoc to whom, its number, type and creation time. All values are SAP text."""

    TABNAM: str = "EDI_DC40"
    MANDT: str = ""
    DOCNUM: str = ""
    DOCREL: str = ""
    STATUS: str = ""
    DIRECT: str = ""
    OUTMOD: str = ""
    EXPRSS: str = ""
    TEST: str = ""
    IDOCTYP: str = ""
    CIMTYP: str = ""
    MESTYP: str = ""
    MESCOD: str = ""
    MESFCT: str = ""
    STD: str = ""
    STDVRS: str = ""
    STDMES: str = ""
    SNDPOR: str = ""
    SNDPRT: str = ""
    SNDPFC: str = ""
    SNDPRN: str = ""
    SNDSAD: str = ""
    SNDLAD: str = ""
    RCVPOR: str = ""
    RCVPRT: str = ""
    RCVPFC: str = ""
    RCVPRN: str = ""
    RCVSAD: str = ""
    RCVLAD: str = ""
    CREDAT: str = ""
    CRETIM: str = ""
    REFINT: str = ""
    REFGRP: str = ""
    REFMES: str = ""
    ARCKEY: str = ""
    SERIAL: str = ""

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    def as_dict(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in self.field_names()}

    @property
    def docnum(self) -> str:
        return self.DOCNUM.strip()

    @property
    def type_name(self) -> str:
        """The IDoc type the data follows: the extension type when there is one, else the basic type."""
        return self.CIMTYP or self.IDOCTYP

    def created_at(self, tz: tzinfo) -> datetime | None:
        """CREDAT/CRETIM read in ``tz``; None when CREDAT is blank or not a date."""
        try:
            return parse_datetime(self.CREDAT, self.CRETIM, tz)
        except ValueFormatError:
            return None


class Segment:
    """One segment: its name, its fields by name and its child segments.

    ``segnum``, ``psgnum`` and ``hlevel`` are the numbers the segment had in the document it was read from
    (writers number segments afresh). A segment read from a flat file is split into fields only when they are
    first asked for; a segment without a layout keeps its raw 1000 characters in ``sdata`` and no fields.
    """

    __slots__ = ("_fields", "_layout", "children", "hlevel", "name", "psgnum", "sdata", "segnum")

    def __init__(
        self,
        name: str,
        fields: Mapping[str, str] | None = None,
        children: list[Segment] | None = None,
        sdata: str | None = None,
        layout: RecordLayout | None = None,
        segnum: int = 0,
        psgnum: int = 0,
        hlevel: int = 0,
    ) -> None:
        self.name = name
        self._fields = dict(fields) if fields is not None else None
        self.children = children if children is not None else []
        self.sdata = sdata
        self._layout = layout
        self.segnum = segnum
        self.psgnum = psgnum
        self.hlevel = hlevel

    @property
    def fields(self) -> dict[str, str]:
        if self._fields is None:
            if self._layout is not None and self.sdata is not None:
                self._fields = self._layout.split(self.sdata)
            else:
                self._fields = {}
        return self._fields

    @property
    def known(self) -> bool:
        """True when the segment's fields are known by name (a layout, or read from XML)."""
        return self._layout is not None or self.sdata is None

    def get(self, name: str, default: str = "") -> str:
        return self.fields.get(name) or default

    def pick(self, names: tuple[str, ...]) -> Iterator[str]:
        """The values of ``names`` in that order, ``""`` when blank or absent: ``aufnr, werks = s.pick(NAMES)``.

        A segment read from a flat file whose fields were not split yet has them cut straight out of its
        ``sdata``, without building the dict of all its fields (what decoding large files spends its time on).
        """
        if self._fields is None and self._layout is not None and self.sdata is not None:
            return map(str.rstrip, self._layout.cutters[names](self.sdata))
        return map(self.fields.get, names, repeat(""))

    def iter(self, name: str | None = None) -> Iterator[Segment]:
        """This segment's descendants, depth first in document order; only those named ``name`` if given."""
        return _walk(self.children, name)

    def first(self, name: str) -> Segment | None:
        return next(self.iter(name), None)

    def _content(self) -> tuple[object, ...]:
        data = {k: v for k, v in self.fields.items() if v} if self.known else (self.sdata or "").rstrip()
        return (self.name, data, self.children)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Segment):
            return NotImplemented
        return self._content() == other._content()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        shown = {k: v for k, v in self.fields.items() if v} if self.known else f"<{len(self.sdata or '')} raw>"
        return f"Segment({self.name!r}, {shown!r}, {len(self.children)} children)"


@dataclass(slots=True)
class Idoc:
    """One IDoc: its control record and its top-level segments."""

    control: ControlRecord
    segments: list[Segment] = field(default_factory=list)
    line: int | None = None
    """The line (flat file) or XML line the IDoc starts at, for messages."""

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Idoc):
            return NotImplemented
        return self.control == other.control and self.segments == other.segments

    @property
    def docnum(self) -> str:
        return self.control.docnum

    def iter(self, name: str | None = None) -> Iterator[Segment]:
        """All segments depth first in document order; only those named ``name`` if given."""
        return _walk(self.segments, name)

    def by_name(self) -> dict[str, list[Segment]]:
        """All segments grouped by name, each group in document order (one pass over the tree)."""
        groups: dict[str, list[Segment]] = {}
        pending = self.segments[::-1]  # a stack: the next segment in document order is on top
        while pending:
            segment = pending.pop()
            group = groups.get(segment.name)
            if group is None:
                groups[segment.name] = [segment]
            else:
                group.append(segment)
            if segment.children:
                pending += segment.children[::-1]
        return groups

    def first(self, name: str) -> Segment | None:
        return next(self.iter(name), None)


def _walk(segments: list[Segment], name: str | None) -> Iterator[Segment]:
    """Depth-first, document-order walk without recursion (IDocs nest up to 99 levels)."""
    stack = [iter(segments)]
    while stack:
        for segment in stack[-1]:
            if name is None or segment.name == name:
                yield segment
            if segment.children:
                stack.append(iter(segment.children))
                break
        else:
            stack.pop()
