"""What every message map shares: the message sorted into its segment table, typed readers that report bad or
missing data at the right position, and the checks that keep generated values within their EDIFACT lengths.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from bus.canonical import CanonicalMessage
from transformers.edifact.codes import SyntaxErrorCode
from transformers.edifact.envelope import Message
from transformers.edifact.errors import EdifactMappingError, EdifactSyntaxError
from transformers.edifact.headers import MessageIdentifier
from transformers.edifact.segment import Segment
from transformers.edifact.structure import GroupInstance, MessageStructure, walk
from transformers.edifact.values import DATE_FORMATS, format_date, format_datetime, parse_datetime, parse_decimal
from transformers.edifact.writer import SegmentData

M = TypeVar("M", bound=BaseModel)
P = TypeVar("P", bound=CanonicalMessage)

_ZONED_FORMATS = {"205", "303", "304"}
DEFAULT_UNIT = "PCE"
"""Unit assumed when a quantity has no measure unit qualifier (6411): pieces, the usual convention then."""


class Document:
    """A message sorted into its segment table, with readers that raise :class:`EdifactMappingError` pointing at
    the segment, data element and component in question (positions count from UNH = 1)."""

    def __init__(self, message: Message, tree: GroupInstance) -> None:
        self.message = message
        self.tree = tree

    @classmethod
    def walk(cls, message: Message, structure: MessageStructure) -> tuple[Document, list[EdifactSyntaxError]]:
        tree, errors = walk(message.body, structure, message.position_of)
        return cls(message, tree), errors

    def error(
        self,
        segment: Segment,
        reason: str,
        code: SyntaxErrorCode = SyntaxErrorCode.INVALID_VALUE,
        element: int | None = None,
        component: int | None = None,
    ) -> EdifactMappingError:
        return EdifactMappingError(
            reason,
            code,
            level="message",
            segment_tag=segment.tag,
            segment_position=self.message.position_of(segment),
            element=element,
            component=component,
            offset=segment.offset,
        )

    def missing(self, what: str, tag: str, near: Segment) -> EdifactMappingError:
        """A mandatory-for-us segment is absent; reported at ``near``, where it was expected."""
        error = self.error(near, f"{what} is missing", SyntaxErrorCode.MISSING)
        error.segment_tag = tag
        return error

    def beginning(self) -> Segment:
        """The BGM segment."""
        bgm = self.tree.first("BGM")
        if bgm is None:
            raise self.missing("beginning of message (BGM)", "BGM", self.message.segments[0])
        return bgm

    def party(self, parties: dict[str, Segment], what: str, *qualifiers: str) -> Segment:
        """The first NAD of ``parties`` (by 3035 qualifier) with one of ``qualifiers``."""
        for qualifier in qualifiers:
            if qualifier in parties:
                return parties[qualifier]
        names = " or ".join(f"NAD+{qualifier}" for qualifier in qualifiers)
        raise self.missing(f"{what} ({names})", "NAD", self.beginning())

    def item(self, group: GroupInstance) -> tuple[str, dict[str, str]]:
        """The buyer's material number of a LIN group and its item numbers by type (7143), LIN and PIA together.

        The material is the item of type IN (buyer's item number), else the LIN item number whatever its type.
        """
        lin = group.trigger
        numbers = item_numbers(lin, 3, 1)
        for pia in group.all("PIA"):
            for kind, number in item_numbers(pia, 2, 5).items():
                numbers.setdefault(kind, number)
        material = numbers.get("IN") or lin.value(3, 1)
        if not material:
            raise self.error(
                lin,
                "LIN has no item number (C212 7140) and no PIA with a buyer's item number (IN)",
                SyntaxErrorCode.MISSING,
                3,
                1,
            )
        return material, numbers

    def text(self, segment: Segment, element: int, component: int | None, what: str) -> str:
        """A value that must be present; ``component`` None for a simple data element."""
        value = segment.value(element, component or 1)
        if not value:
            raise self.error(segment, f"{segment.tag} has no {what}", SyntaxErrorCode.MISSING, element, component)
        return value

    def decimal(self, segment: Segment, element: int, component: int, what: str) -> Decimal | None:
        """A number with either decimal mark; None when absent."""
        value = segment.value(element, component)
        if not value:
            return None
        try:
            return parse_decimal(value)
        except (ValueError, InvalidOperation):
            raise self.error(
                segment, f"{what} {value!r} is not a number", SyntaxErrorCode.INVALID_VALUE, element, component
            ) from None

    def required_decimal(self, segment: Segment, element: int, component: int, what: str) -> Decimal:
        value = self.decimal(segment, element, component, what)
        if value is None:
            raise self.error(segment, f"{segment.tag} has no {what}", SyntaxErrorCode.MISSING, element, component)
        return value

    def integer(self, segment: Segment, element: int, component: int | None, what: str) -> int:
        value = self.text(segment, element, component, what)
        if not (value.isascii() and value.isdigit()):
            raise self.error(
                segment, f"{what} {value!r} is not a whole number", SyntaxErrorCode.INVALID_VALUE, element, component
            )
        return int(value)

    def when(self, dtm: Segment) -> datetime:
        """The date/time of a DTM segment (C507: qualifier, value, format)."""
        qualifier, value, fmt = dtm.components(1, 3)
        if not value:
            raise self.error(dtm, f"DTM+{qualifier} has no date", SyntaxErrorCode.MISSING, 1, 2)
        if fmt and fmt not in DATE_FORMATS and fmt not in _ZONED_FORMATS:
            raise self.error(
                dtm,
                f"date/time format {fmt!r} of DTM+{qualifier} is not supported (supported: "
                f"{', '.join(sorted({*DATE_FORMATS, *_ZONED_FORMATS}))})",
                SyntaxErrorCode.VALUE_NOT_SUPPORTED,
                1,
                3,
            )
        try:
            return parse_datetime(value, fmt)
        except ValueError as exc:
            raise self.error(dtm, f"DTM+{qualifier}: {exc}", SyntaxErrorCode.INVALID_VALUE, 1, 2) from None

    def build(self, model: type[M], segment: Segment, **fields: Any) -> M:
        """The canonical model, with a validation failure reported at ``segment``."""
        try:
            return model(**fields)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(part) for part in first["loc"]) or model.__name__
            raise self.error(segment, f"{field}: {first['msg']} (got {first.get('input')!r})") from None


def by_qualifier(segments: Sequence[Segment]) -> dict[str, Segment]:
    """Segments by their first component (a qualifier: DTM 2005, NAD 3035, PRI 5125...); the first of each wins."""
    found: dict[str, Segment] = {}
    for segment in segments:
        found.setdefault(segment.value(1), segment)
    return found


def triggers(groups: Sequence[GroupInstance]) -> list[Segment]:
    """The trigger segments of group occurrences (the NAD of each SG2...)."""
    return [group.trigger for group in groups]


def first_of(found: dict[str, Segment], *qualifiers: str) -> Segment | None:
    for qualifier in qualifiers:
        if qualifier in found:
            return found[qualifier]
    return None


def item_numbers(segment: Segment, first_element: int, count: int) -> dict[str, str]:
    """Item numbers by type (7143) from ``count`` C212 composites starting at ``first_element`` (LIN, PIA)."""
    numbers: dict[str, str] = {}
    for element in range(first_element, min(first_element + count, len(segment.elements))):
        number, kind = segment.components(element, 2)
        if number:
            numbers.setdefault(kind, number)
    return numbers


# -- generation ----------------------------------------------------------------------------------------------------


def fit(value: str, limit: int, what: str) -> str:
    """``value`` when it fits its EDIFACT data element (an..limit); else a mapping error naming it."""
    if len(value) > limit:
        raise EdifactMappingError(
            f"{what} {value!r} is longer than the {limit} characters EDIFACT allows",
            SyntaxErrorCode.DATA_ELEMENT_TOO_LONG,
        )
    return value


def fit_number(value: Decimal, limit: int, what: str) -> Decimal:
    """``value`` when its digits fit an EDIFACT numeric data element (n..limit)."""
    digits = len(value.as_tuple().digits)
    if digits > limit:
        raise EdifactMappingError(
            f"{what} {value} has more than the {limit} digits EDIFACT allows", SyntaxErrorCode.DATA_ELEMENT_TOO_LONG
        )
    return value


def dtm(qualifier: str, value: datetime | date) -> SegmentData:
    """A DTM segment for a date (format 102) or a date and time (203/204/205/304)."""
    text, fmt = format_datetime(value) if isinstance(value, datetime) else format_date(value)
    return ("DTM", (qualifier, text, fmt))


def chunks(text: str, size: int) -> list[str]:
    return [text[start : start + size] for start in range(0, len(text), size)]


@dataclass(frozen=True)
class MessageMap(Generic[P]):
    """Both directions between one message type of one directory and one canonical type."""

    identifier: MessageIdentifier
    structure: MessageStructure
    model: type[P]
    read: Callable[[Document], P]
    """The canonical message from a message sorted into ``structure``."""
    write: Callable[[P], list[SegmentData]]
    """The body segments (between UNH and UNT) for a canonical message."""
    business_key: Callable[[P], str]
    """The id a business transaction is known by (ASN number, PO number): the correlation id."""
    occurred_at: Callable[[P], datetime | None]
