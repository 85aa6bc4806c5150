"""What every IDoc <-> canonical map shares: typed field reads that name the field on error, validation of the
result against its canonical model, time units, and building segments from values.

Maps read fields in one of two ways: ``SegmentView``, one typed read per call, or ``Segment.pick`` (all the fields
a part needs in one call) converted with ``transformers.idoc.values`` inside ``read_segments``, which names the
segment and field of a value that does not convert. The second is for the maps of large files.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import ValidationError

from bus.canonical import CanonicalMessage
from transformers.decoding import Decoded, DecodeFailed
from transformers.idoc import values
from transformers.idoc.errors import decode_failed
from transformers.idoc.model import Idoc, Segment

M = TypeVar("M", bound=CanonicalMessage)
T = TypeVar("T")


@dataclass(frozen=True)
class Context:
    """Settings of a map run. SAP dates and times carry no zone: ``timezone`` is the one they are read in."""

    timezone: tzinfo = UTC


DecodeFn = Callable[[Idoc, Context], list[Decoded]]
EncodeFn = Callable[[Any, Context], list[Segment]]
"""Takes the map's canonical type (``IdocMap.canonical``)."""


@dataclass(frozen=True)
class IdocMap:
    """How one IDoc type maps to and from one canonical message type."""

    message_type: str
    """MESTYP written on encoding (e.g. ``LOIPRO``)."""
    idoc_type: str
    """IDOCTYP written on encoding (e.g. ``LOIPRO01``)."""
    reads: tuple[str, ...]
    """Basic types and message types this map decodes."""
    canonical: type[CanonicalMessage]
    decode: DecodeFn
    encode: EncodeFn


class SegmentView:
    """Typed reads of one segment's fields; a bad value raises ``DecodeFailed`` naming IDoc, segment and field."""

    __slots__ = ("_fields", "_idoc", "segment")

    def __init__(self, idoc: Idoc, segment: Segment) -> None:
        self.segment = segment
        self._fields = segment.fields
        self._idoc = idoc

    def fail(self, reason: str, field: str | None = None) -> DecodeFailed:
        return segment_failed(self._idoc, self.segment, reason, field)

    def get(self, name: str) -> str:
        """The field's text, ``""`` when empty or absent."""
        return self._fields.get(name, "")

    def text(self, name: str) -> str | None:
        """The field's text, None when empty or absent."""
        return self._fields.get(name) or None

    def required(self, name: str) -> str:
        value = self._fields.get(name)
        if not value:
            raise self.fail("the field is empty but the canonical message needs it", name)
        return value

    def alpha(self, name: str) -> str | None:
        """A document number without the leading zeros SAP pads it with."""
        value = self._fields.get(name)
        return values.strip_zeros(value) if value else None

    def material(self, short: str = "MATNR", long: str = "MATNR_LONG") -> str | None:
        """The material number: the 40-character field where filled (S/4HANA), else the classic one."""
        return self.text(long) or self.alpha(short)

    def numc(self, name: str) -> str | None:
        return values.numc(self._fields.get(name) or "")

    def decimal(self, name: str) -> Decimal | None:
        try:
            return values.parse_decimal(self._fields.get(name) or "")
        except values.ValueFormatError as exc:
            raise self.fail(str(exc), name) from None

    def date(self, name: str) -> date | None:
        try:
            return values.parse_date(self._fields.get(name) or "")
        except values.ValueFormatError as exc:
            raise self.fail(str(exc), name) from None

    def moment(self, date_field: str, time_field: str, tz: tzinfo) -> datetime | None:
        try:
            return values.parse_datetime(self._fields.get(date_field) or "", self._fields.get(time_field) or "", tz)
        except values.ValueFormatError as exc:
            raise self.fail(str(exc), f"{date_field}/{time_field}") from None

    def flag(self, name: str) -> bool:
        return values.flag(self._fields.get(name) or "")

    def times(self, pairs: Sequence[tuple[str, str]]) -> tuple[list[Decimal | None], str]:
        """The times in ``(value field, unit field)`` pairs, in one unit (see ``common_time_unit``)."""
        numbers = [self.decimal(value_field) for value_field, _ in pairs]
        try:
            return common_time_unit(numbers, [self.get(unit_field) for _, unit_field in pairs])
        except values.ValueFormatError as exc:
            raise self.fail(str(exc)) from None


def segment_failed(idoc: Idoc, segment: Segment, reason: str, field: str | None = None) -> DecodeFailed:
    """A ``DecodeFailed`` naming the IDoc, the segment and, when known, the field."""
    return decode_failed(reason, docnum=idoc.docnum, segment=segment.name, segnum=segment.segnum, field=field)


def read_segments(idoc: Idoc, segments: Iterable[Segment], read: Callable[..., T], *args: Any) -> list[T]:
    """``read(segment, *args)`` for each segment; a ``ValueFormatError`` becomes a ``DecodeFailed`` naming the
    segment and the field (``ValueFormatError.field``)."""
    parts: list[T] = []
    try:
        for segment in segments:
            parts.append(read(segment, *args))
    except values.ValueFormatError as exc:
        raise segment_failed(idoc, segment, str(exc), exc.field) from None
    return parts


def first_segment(idoc: Idoc, name: str, groups: Mapping[str, list[Segment]] | None = None) -> Segment:
    """The IDoc's first segment ``name`` (looked up in ``groups`` when given); ``DecodeFailed`` when it has none."""
    segment = (groups.get(name) or [None])[0] if groups is not None else idoc.first(name)
    if segment is None:
        raise decode_failed(f"the IDoc has no {name} segment", docnum=idoc.docnum)
    return segment


def first(idoc: Idoc, name: str, groups: Mapping[str, list[Segment]] | None = None) -> SegmentView:
    """The view of ``first_segment``."""
    return SegmentView(idoc, first_segment(idoc, name, groups))


def validated(model: type[M], data: Mapping[str, object], *, docnum: str) -> M:
    """``data`` as a ``model``; every validation problem named in one ``DecodeFailed``."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or 'message'}: {error['msg']}" for error in exc.errors()
        )
        raise decode_failed(f"the IDoc does not make a valid {model.message_type}: {problems}", docnum=docnum) from None


_MINUTES_PER_UNIT = {
    "S": Decimal(1) / 60,
    "SEC": Decimal(1) / 60,
    "MIN": Decimal(1),
    "H": Decimal(60),
    "HR": Decimal(60),
    "HUR": Decimal(60),
    "STD": Decimal(60),
    "D": Decimal(1440),
    "DAY": Decimal(1440),
    "TAG": Decimal(1440),
}
_MICRO = Decimal("0.000001")


def common_time_unit(
    numbers: list[Decimal | None], units: Sequence[str], default: str = "MIN"
) -> tuple[list[Decimal | None], str]:
    """Times read from ``(value, unit)`` field pairs (``numbers[i]`` in ``units[i]``), as values in one unit.

    The canonical messages carry one time unit for all their times. When the IDoc's times use one unit (or
    leave it blank), that unit is kept; times in different units are converted to minutes. Units that cannot
    be converted raise ``ValueFormatError``.
    """
    first = units[0] if units else ""
    if units.count(first) == len(units):  # one unit for all times, or none: the common case
        return numbers, first.upper() or default
    found = {unit.upper() for unit in units if unit}
    if len(found) <= 1:
        return numbers, found.pop() if found else default
    used = [(number, unit.upper()) for number, unit in zip(numbers, units, strict=True)]
    found = {unit for number, unit in used if number is not None and unit}
    if len(found) <= 1:
        return numbers, found.pop() if found else default
    unknown = sorted(unit for unit in found if unit not in _MINUTES_PER_UNIT)
    if unknown:
        raise values.ValueFormatError(
            f"times in units {', '.join(sorted(found))} cannot be combined: {unknown[0]} is no time unit"
        )
    converted: list[Decimal | None] = []
    for number, unit in used:
        if number is None:
            converted.append(None)
        else:
            minutes = (number * _MINUTES_PER_UNIT[unit or "MIN"]).quantize(_MICRO)
            converted.append(Decimal(f"{minutes.normalize():f}"))
    return converted, "MIN"


def segment(name: str, fields: Mapping[str, str | None], children: list[Segment] | None = None) -> Segment:
    """A segment to write, leaving out fields that have no value."""
    return Segment(name, {key: value for key, value in fields.items() if value}, children or [])


def material_fields(material: str, short: str = "MATNR", long: str = "MATNR_LONG") -> dict[str, str]:
    """A material number longer than the classic 18 characters goes into the 40-character field."""
    return {short: values.pad_zeros(material, 18)} if len(material) <= 18 else {long: material}
