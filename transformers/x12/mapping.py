"""What the transaction set maps share: element descriptors, and reading a received set for the canonical model.

A map gathers the raw element values of a set into the canonical model's shape and records, per record (the
notice, a pack, a line), which segment each of its fields comes from. The canonical model then converts and
validates the values; when it refuses one, :class:`SetSource` reports the X12 element that carried it, with
its position and value (AK3/AK4 of the 997), in words a partner manager can act on. Values the model cannot
convert itself (X12 dates and times) are converted by the map, which reports their problems directly.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol, TypeVar

from pydantic import BaseModel, ValidationError

from transformers.x12 import codes, values
from transformers.x12.errors import ElementError, GenerationError, MappingError, SegmentError, TransactionSetError

Loc = tuple[str | int, ...]
"""A canonical record's or field's path, as pydantic reports it: ``("packs", 0, "lines", 1, "quantity")``."""

M = TypeVar("M", bound=BaseModel)


def element(segment: list[str], index: int) -> str:
    """Element ``index`` of ``segment``; empty when the segment stops before it."""
    return segment[index] if len(segment) > index else ""


def padded(segment: list[str], size: int) -> list[str]:
    """``segment`` with empty elements up to ``size`` items (itself when long enough): one call for many reads."""
    return segment if len(segment) >= size else segment + [""] * (size - len(segment))


@dataclass(frozen=True, slots=True)
class Elem:
    """One data element of one segment, as the X12 dictionary defines it."""

    tag: str
    index: int
    """Position in the segment, 1 for the first element after the segment ID."""
    reference: str
    """Data element reference number (AK402)."""
    name: str
    min_length: int = 1
    max_length: int = 80

    @property
    def label(self) -> str:
        return f"{self.tag}{self.index:02d} ({self.name})"

    def resolve(self, segment: list[str]) -> Elem:
        return self

    def fit(self, value: str) -> str:
        """``value`` for writing, checked against the element's length; numbers count digits only."""
        size = sum(c.isdigit() for c in value) if self.reference in _NUMERIC else len(value)
        if not self.min_length <= size <= self.max_length:
            raise GenerationError(
                f"{self.label} {value!r} must be {self.min_length} to {self.max_length} characters long"
            )
        return value


_PYDANTIC_CODES = {
    "string_too_short": codes.ELEMENT_TOO_SHORT,
    "string_too_long": codes.ELEMENT_TOO_LONG,
    "string_pattern_mismatch": codes.ELEMENT_INVALID_CHARACTER,
    "decimal_max_digits": codes.ELEMENT_TOO_LONG,
    "decimal_max_places": codes.ELEMENT_TOO_LONG,
    "decimal_parsing": codes.ELEMENT_INVALID_CHARACTER,
    "int_parsing": codes.ELEMENT_INVALID_CHARACTER,
}
"""AK403 code for a pydantic error type; others are reported as an invalid code value (7)."""

_NUMERIC = frozenset({"80", "81", "212", "330", "354", "382"})
"""R and N0 elements among those the maps write: their length counts digits, not signs or decimal points."""


class Located(Protocol):
    """Where a field's value is in its segment: an :class:`Elem`, or something that finds it in the segment."""

    def resolve(self, segment: list[str]) -> Elem: ...


@dataclass(frozen=True, slots=True)
class QualifiedId:
    """A product ID that follows its qualifier in a list of (qualifier, ID) pairs, as in LIN and PO1."""

    qualifier: str
    ids: Mapping[int, Elem]
    """The ID elements by position."""
    first: int
    """Position of the first qualifier."""

    def resolve(self, segment: list[str]) -> Elem:
        for at in range(self.first, len(segment) - 1, 2):
            if segment[at] == self.qualifier:
                return self.ids[at + 1]
        return self.ids[self.first + 1]


Schema = Mapping[str, tuple[str, Located]]
"""A record's fields: field name -> (the segment it comes from, named by the map; the element)."""


class SetSource:
    """The segments of one received transaction set (``segments[0]`` is ST), read for a map.

    With ``notes`` given, problems in optional values are recorded there as non-fatal (the set is accepted with
    AK5 ``E`` and the value left out); without, they raise like any other problem.
    """

    __slots__ = ("_records", "explaining", "notes", "segments")

    def __init__(
        self, segments: Sequence[list[str]], notes: list[TransactionSetError] | None = None, *, explaining: bool = False
    ) -> None:
        self.segments = segments
        self.notes = notes
        self.explaining = explaining
        """Whether the map is to :meth:`record` where its values come from: only to explain a refused value."""
        self._records: dict[Loc, tuple[Schema, Mapping[str, int]]] = {}

    @classmethod
    def map(
        cls,
        segments: Sequence[list[str]],
        notes: list[TransactionSetError] | None,
        read: Callable[[SetSource], dict[str, object]],
        model: type[M],
    ) -> M:
        """``model`` validated from what ``read`` gathers; a refused value is reported against its element.

        Most sets are accepted, so ``read`` records nothing at first: only when the model refuses a value is the set
        read again (the same way), :attr:`explaining`, to name the element the value came from.
        """
        data = read(cls(segments, notes))
        try:
            return model.__pydantic_validator__.validate_python(data)  # model_validate without its wrapper
        except ValidationError as exc:
            error = exc.errors(include_url=False)[0]
        source = cls(segments, None if notes is None else [], explaining=True)
        read(source)
        raise source._explain(error)

    def record(self, loc: Loc, schema: Schema, positions: Mapping[str, int]) -> None:
        """The record at ``loc`` reads its fields as ``schema`` says from the segments at ``positions``.

        Only :meth:`_explain` uses records: a map may skip this unless :attr:`explaining`.
        """
        self._records[loc] = (schema, positions)

    # -- raising ------------------------------------------------------------------------------------------------

    def error(
        self, position: int, elem: Elem, problem: str, code: str, *, value: str | None = None, fatal: bool = True
    ) -> MappingError:
        """An element-level problem (AK3 code 8 with an AK4)."""
        note = ElementError(elem.index, code, reference=elem.reference, value=value)
        segment = SegmentError(elem.tag, position, codes.SEGMENT_HAS_ELEMENT_ERRORS, elements=(note,))
        shown = f" {value!r}" if value else ""
        return MappingError(f"{elem.label}{shown} {problem}", segment, fatal=fatal)

    def segment_error(
        self, position: int, tag: str, problem: str, code: str = codes.SEGMENT_UNEXPECTED
    ) -> MappingError:
        """A segment-level problem: missing, unexpected or out of place (AK3 without AK4)."""
        return MappingError(problem, SegmentError(tag, position, code))

    def missing(self, position: int, tag: str, what: str) -> MappingError:
        return self.segment_error(position, tag, f"{what} missing", codes.SEGMENT_MANDATORY_MISSING)

    # -- reading ------------------------------------------------------------------------------------------------

    def expect(self, position: int, tag: str, what: str) -> list[str]:
        """The segment at ``position``, which must be ``tag``."""
        if position > len(self.segments) or self.segments[position - 1][0] != tag:
            raise self.missing(position, tag, f"{tag} ({what}) as segment {position} of the set")
        return self.segments[position - 1]

    def text(self, position: int, elem: Elem, *, required: bool = False) -> str:
        value = element(self.segments[position - 1], elem.index)
        if not value and required:
            raise self.error(position, elem, "is missing", codes.ELEMENT_MANDATORY_MISSING)
        return value

    def count(self, position: int, elem: Elem) -> int:
        raw = self.text(position, elem, required=True)
        if raw.isdigit() and raw.isascii():
            return int(raw)
        raise self.error(position, elem, "is not a whole number", codes.ELEMENT_INVALID_CHARACTER, value=raw)

    def read_date(self, position: int, elem: Elem, *, optional: bool = False) -> date | None:
        """A DT element; an ``optional`` one that is invalid is noted and left out when notes are kept."""
        raw = self.text(position, elem, required=not optional)
        try:
            return values.parse_date(raw) if raw else None
        except ValueError as exc:
            self._invalid(position, elem, raw, exc, codes.ELEMENT_INVALID_DATE, optional)
            return None

    def read_datetime(self, position: int, dtm: DateTimeElems, *, optional: bool = False) -> datetime | None:
        """Date, time and time code elements of one segment as one value (see :func:`values.parse_datetime`)."""
        raw_date, raw_time, raw_code = dtm.values(self.segments[position - 1])
        try:
            return values.parse_datetime(raw_date, raw_time, raw_code)
        except ValueError as exc:
            if not raw_date:
                raise self.error(position, dtm.date, "is missing", codes.ELEMENT_MANDATORY_MISSING) from None
            if not values.parses(values.parse_date, raw_date):
                elem, raw, code = dtm.date, raw_date, codes.ELEMENT_INVALID_DATE
            elif raw_code and raw_code not in values.TIME_CODES:
                elem, raw, code = dtm.code, raw_code, codes.ELEMENT_INVALID_CODE
            else:
                elem, raw, code = dtm.time, raw_time, codes.ELEMENT_INVALID_TIME
            self._invalid(position, elem, raw, exc, code, optional)
            return None

    def _invalid(self, position: int, elem: Elem, raw: str, exc: ValueError, code: str, optional: bool) -> None:
        if optional and self.notes is not None:
            self.notes.append(
                self.error(position, elem, f"{_problem(exc, raw)}; left out", code, value=raw, fatal=False)
            )
            return
        raise self.error(position, elem, _problem(exc, raw), code, value=raw) from None

    def _explain(self, error: object) -> MappingError:
        """A pydantic error as a mapping error on the element its value came from (ST if none is known)."""
        loc: Loc = tuple(error["loc"])  # type: ignore[index]
        message = str(error["msg"])  # type: ignore[index]
        code = _PYDANTIC_CODES.get(str(error["type"]), codes.ELEMENT_INVALID_CODE)  # type: ignore[index]
        for end in range(len(loc) - 1, -1, -1):
            record = self._records.get(loc[:end])
            if record is None:
                continue
            schema, positions = record
            origin = schema.get(loc[end]) if isinstance(loc[end], str) else None
            position = positions.get(origin[0], 0) if origin else 0
            if origin and position:
                segment = self.segments[position - 1]
                elem = origin[1].resolve(segment)
                raw = element(segment, elem.index)
                if not raw:
                    return self.error(position, elem, "is missing", codes.ELEMENT_MANDATORY_MISSING)
                return self.error(position, elem, f"is not accepted: {message}", code, value=raw)
            break
        field = ".".join(str(part) for part in loc)
        return self.segment_error(1, "ST", f"{field}: {message}", codes.SEGMENT_MANDATORY_MISSING)


@dataclass(frozen=True, slots=True)
class DateTimeElems:
    """The date, time and time code elements of a segment (DTM02/03/04, BSN03/04)."""

    date: Elem
    time: Elem
    code: Elem

    def values(self, segment: list[str]) -> tuple[str, str, str]:
        """The raw date, time and time code of ``segment``, empty where it stops before them."""
        size, date_at, time_at, code_at = len(segment), self.date.index, self.time.index, self.code.index
        return (
            segment[date_at] if date_at < size else "",
            segment[time_at] if time_at < size else "",
            segment[code_at] if code_at < size else "",
        )


REF02 = Elem("REF", 2, "127", "reference identification", 1, 30)
N104 = Elem("N1", 4, "67", "identification code", 2, 80)
CTT01 = Elem("CTT", 1, "354", "number of line items", 1, 6)
DTM = DateTimeElems(
    Elem("DTM", 2, "373", "date", 8, 8), Elem("DTM", 3, "337", "time", 4, 8), Elem("DTM", 4, "623", "time code", 2, 2)
)
"""Elements of segments several transaction sets use."""


def _problem(exc: ValueError, raw: str) -> str:
    """The ValueError's text without the value it repeats (the error message shows the value already)."""
    text = str(exc)
    quoted = repr(raw)
    return text[len(quoted) + 1 :] if text.startswith(quoted + " ") else text


def first_of_each(segments: Sequence[list[str]], start: int, stop: int) -> dict[tuple[str, str], int]:
    """Position of the first segment of each (tag, first element) among positions ``start``..``stop``."""
    found: dict[tuple[str, str], int] = {}
    if stop < start:
        return found
    for segment in reversed(segments[start - 1 : stop]):
        found[segment[0], segment[1] if len(segment) > 1 else ""] = stop
        stop -= 1
    return found


def written_datetime(value: datetime, dtm: DateTimeElems) -> tuple[str, str, str]:
    """(date, time, time code) for writing, checked against the elements."""
    day, clock, code = values.split_datetime(value)
    return dtm.date.fit(day), dtm.time.fit(clock), code
