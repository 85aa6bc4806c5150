"""One parsed segment, with its data elements split lazily into components.

Splitting every element into components up front costs more than the mappers ever read, so a segment keeps the
element strings and splits (and un-escapes) only what is asked for. Element and component indexes are 1-based
and follow the EDIFACT naming: ``seg.value(2)`` is "UNT02", ``seg.value(2, 3)`` is component 3 of element 2.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SegmentSyntax:
    """What a segment needs to split its elements: the separators and, when it held escapes, the restore table."""

    component: str
    repetition: str
    """The repetition separator when in use (syntax version 4), else ""."""
    restore: dict[int, str | None] | None = None
    """``str.translate`` table turning escape placeholders back into characters; None when nothing is escaped."""


class Segment:
    """A segment: ``tag`` plus the raw data element strings (``elements[0]`` is the tag itself)."""

    __slots__ = ("_syntax", "elements", "fault", "offset", "position", "tag")

    def __init__(
        self, elements: list[str], position: int, syntax: SegmentSyntax, offset: int = 0, fault: str | None = None
    ) -> None:
        self.tag = elements[0]
        self.elements = elements
        self.position = position
        """1-based position of the segment in its interchange (UNB = 1)."""
        self._syntax = syntax
        self.offset = offset
        """Byte offset of the segment's first character in the stream."""
        self.fault = fault
        """Why the segment's bytes are not valid in the interchange's character set (they were decoded leniently)."""

    @property
    def element_count(self) -> int:
        """Number of data elements after the tag (trailing empty ones included when present)."""
        return len(self.elements) - 1

    def _raw(self, element: int) -> str:
        try:
            raw = self.elements[element]
        except IndexError:
            return ""
        rep = self._syntax.repetition
        if rep and rep in raw:
            return raw.split(rep, 1)[0]
        return raw

    def value(self, element: int, component: int = 1) -> str:
        """Component ``component`` of data element ``element``; "" when absent."""
        elements = self.elements
        if element >= len(elements):
            return ""
        raw = elements[element]
        syntax = self._syntax
        if syntax.repetition and syntax.repetition in raw:
            raw = raw.split(syntax.repetition, 1)[0]
        if component == 1:
            if syntax.component in raw:
                raw = raw.split(syntax.component, 1)[0]
        else:
            parts = raw.split(syntax.component)
            raw = parts[component - 1] if component <= len(parts) else ""
        return raw.translate(syntax.restore) if syntax.restore is not None else raw

    def components(self, element: int, count: int) -> list[str]:
        """The first ``count`` components of data element ``element``, padded with "" (for unpacking)."""
        syntax = self._syntax
        parts = self._raw(element).split(syntax.component)
        have = len(parts)
        if have < count:
            parts.extend([""] * (count - have))
        elif have > count:
            del parts[count:]
        if syntax.restore is not None:
            table = syntax.restore
            return [p.translate(table) for p in parts]
        return parts

    def _all_components(self, raw: str) -> list[str]:
        syntax = self._syntax
        parts = raw.split(syntax.component)
        if syntax.restore is not None:
            return [p.translate(syntax.restore) for p in parts]
        return parts

    def repeats(self, element: int) -> list[list[str]]:
        """Every repetition of data element ``element`` (syntax version 4), each as its components."""
        if element >= len(self.elements):
            return []
        raw = self.elements[element]
        rep = self._syntax.repetition
        pieces = raw.split(rep) if rep else [raw]
        return [self._all_components(piece) for piece in pieces]

    def to_list(self) -> list[list[str]]:
        """The segment as ``[[tag], [components of element 1], ...]`` with escapes resolved (for tests and logs)."""
        return [self._all_components(self._raw(i)) for i in range(len(self.elements))]

    def __repr__(self) -> str:
        return f"Segment({self.to_list()!r}, position={self.position})"
