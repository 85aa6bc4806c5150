"""Serialization: segments to text with escaping, and complete interchanges (UNA, UNB ... UNZ) to bytes.

A segment is given as a sequence ``(tag, element, element, ...)``; an element is a string (or ``None`` for an
empty one) or a sequence of component strings for a composite. Trailing empty components and elements are
dropped, as the syntax rules require. Values are escaped with the release character; an interchange without a
release character cannot carry separators inside values and raises code 22 instead.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from types import TracebackType
from typing import Any, BinaryIO

from transformers.edifact.codes import SyntaxErrorCode
from transformers.edifact.errors import EdifactSyntaxError
from transformers.edifact.headers import MessageIdentifier, Party
from transformers.edifact.syntax import LEVEL_A, Delimiters, default_delimiters, encoding_for

Value = str | int | Decimal | None
ElementValue = Value | Sequence[Value]
SegmentData = Sequence[ElementValue]
"""``(tag, element1, element2, ...)``; composites are sequences of components."""


class SegmentFormatter:
    """Formats segments for one set of delimiters."""

    def __init__(self, delimiters: Delimiters = LEVEL_A) -> None:
        self.delimiters = delimiters
        specials = [
            c
            for c in (
                delimiters.release,
                delimiters.component,
                delimiters.element,
                delimiters.segment,
                delimiters.repetition,
            )
            if c
        ]
        self._special = re.compile("[" + re.escape("".join(specials)) + "]").search
        self._table = {ord(c): delimiters.release + c for c in specials} if delimiters.release else None

    def escape(self, value: str) -> str:
        """``value`` with every service character preceded by the release character."""
        if self._special(value) is None:
            return value
        if self._table is None:
            raise EdifactSyntaxError(
                f"value {value!r} contains a service character and the interchange has no release character",
                SyntaxErrorCode.INVALID_SERVICE_CHARACTERS,
            )
        return value.translate(self._table)

    def number(self, value: Decimal | int) -> str:
        """A number without exponent or trailing zeros, with the interchange's decimal mark."""
        if isinstance(value, int):
            return str(value)
        if not value.is_finite():
            raise EdifactSyntaxError(f"{value} has no EDIFACT representation", SyntaxErrorCode.INVALID_VALUE)
        text = format(value, "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        if text == "-0":
            text = "0"
        return text.replace(".", self.delimiters.decimal) if self.delimiters.decimal != "." else text

    def _value(self, value: Value) -> str:
        if value is None:
            return ""
        if isinstance(value, str):
            return self.escape(value)
        if isinstance(value, bool):
            raise TypeError("booleans have no EDIFACT representation")
        return self.number(value)

    def format(self, segment: SegmentData) -> str:
        """The segment's text including its terminator."""
        delims = self.delimiters
        parts: list[str] = [str(segment[0])]
        for element in segment[1:]:
            if element is None or isinstance(element, str | int | Decimal):
                parts.append(self._value(element))
            else:
                components = [self._value(c) for c in element]
                while components and not components[-1]:
                    components.pop()
                parts.append(delims.component.join(components))
        while len(parts) > 1 and not parts[-1]:
            parts.pop()
        return delims.element.join(parts) + delims.segment


class InterchangeWriter:
    """Write an interchange to a binary stream message by message (bounded memory); ``close()`` writes UNZ.

    ``una=None`` writes UNA only when the delimiters differ from the defaults of the syntax version.
    ``newline=True`` puts a line feed after each segment terminator, which readers tolerate.
    """

    def __init__(
        self,
        out: BinaryIO,
        *,
        sender: Party,
        recipient: Party,
        control_reference: str,
        syntax_id: str = "UNOC",
        syntax_version: str = "3",
        delimiters: Delimiters | None = None,
        una: bool | None = None,
        prepared_at: datetime | None = None,
        password: str = "",
        application_reference: str = "",
        priority: str = "",
        acknowledgement_requested: bool = False,
        agreement_id: str = "",
        test: bool = False,
        newline: bool = False,
    ) -> None:
        self._out = out
        self._encoding = encoding_for(syntax_id)
        self._syntax_id = syntax_id
        self._syntax_version = syntax_version
        defaults = default_delimiters(syntax_id, syntax_version)
        self.delimiters = delimiters or defaults
        self._formatter = SegmentFormatter(self.delimiters)
        self._newline = "\n" if newline else ""
        self.control_reference = control_reference
        self._message_count = 0
        self._group_count = 0
        self._group: tuple[str, int] | None = None
        self._closed = False
        if una is None:
            una = self.delimiters != defaults
        if una:
            self._emit(self.delimiters.una() + self._newline)
        self._write(
            "UNB",
            (syntax_id, syntax_version),
            (sender.id, sender.qualifier, sender.routing),
            (recipient.id, recipient.qualifier, recipient.routing),
            self._date_time(prepared_at),
            control_reference,
            password or None,
            application_reference or None,
            priority or None,
            "1" if acknowledgement_requested else None,
            agreement_id or None,
            "1" if test else None,
        )

    def _date_time(self, when: datetime | None) -> tuple[str, str]:
        """S004: date (YYMMDD, CCYYMMDD from syntax version 4) and time of preparation."""
        when = when or datetime.now(UTC)
        return when.strftime("%Y%m%d" if self._syntax_version == "4" else "%y%m%d"), when.strftime("%H%M")

    def _emit(self, text: str) -> None:
        try:
            data = text.encode(self._encoding)
        except UnicodeEncodeError as exc:
            raise EdifactSyntaxError(
                f"{exc.object[exc.start : exc.end]!r} cannot be written in {self._syntax_id} ({self._encoding})",
                SyntaxErrorCode.INVALID_CHARACTERS,
            ) from None
        self._out.write(data)

    def _write(self, *segment: ElementValue) -> None:
        self._emit(self._formatter.format(segment) + self._newline)

    def begin_group(
        self,
        message_type: str,
        reference: str,
        *,
        application_sender: Party,
        application_recipient: Party,
        version: str,
        release: str,
        agency: str = "UN",
        association: str = "",
        prepared_at: datetime | None = None,
    ) -> None:
        """Open a functional group (UNG); every message until ``end_group()`` belongs to it."""
        if self._group is not None or (self._message_count and not self._group_count):
            raise ValueError("groups cannot nest, and cannot follow messages outside groups")
        self._write(
            "UNG",
            message_type,
            (application_sender.id, application_sender.qualifier),
            (application_recipient.id, application_recipient.qualifier),
            self._date_time(prepared_at),
            reference,
            agency,
            (version, release, association),
        )
        self._group = (reference, 0)
        self._group_count += 1

    def end_group(self) -> None:
        if self._group is None:
            raise ValueError("no group is open")
        reference, count = self._group
        self._write("UNE", str(count), reference)
        self._group = None

    def write_message(
        self,
        reference: str,
        identifier: MessageIdentifier,
        body: Iterable[SegmentData],
        *,
        common_access_reference: str = "",
    ) -> None:
        """Write UNH, the body segments and UNT (with the segment count)."""
        if self._closed:
            raise ValueError("the interchange is closed")
        if self._group_count and self._group is None:
            raise ValueError("this interchange uses groups: open one before writing messages")
        fmt = self._formatter.format
        nl = self._newline
        s009 = (identifier.type, identifier.version, identifier.release, identifier.agency, identifier.association)
        lines = [fmt(("UNH", reference, s009, common_access_reference or None))]
        lines.extend(fmt(segment) for segment in body)
        lines.append(fmt(("UNT", str(len(lines) + 1), reference)))
        self._emit(nl.join(lines) + nl)
        self._message_count += 1
        if self._group is not None:
            self._group = (self._group[0], self._group[1] + 1)

    def close(self) -> None:
        """Write UNZ (counting groups when groups were used, else messages)."""
        if self._closed:
            return
        if self._group is not None:
            self.end_group()
        count = self._group_count or self._message_count
        self._write("UNZ", str(count), self.control_reference)
        self._closed = True

    def __enter__(self) -> InterchangeWriter:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None:
            self.close()


def build_interchange(
    messages: Iterable[tuple[str, MessageIdentifier, Iterable[SegmentData]]],
    *,
    sender: Party,
    recipient: Party,
    control_reference: str,
    **options: Any,
) -> bytes:
    """A complete interchange in memory from ``(reference, identifier, body)`` triples.

    ``options`` are the keyword arguments of :class:`InterchangeWriter` (syntax, delimiters, una, ...).
    """
    out = io.BytesIO()
    writer = InterchangeWriter(out, sender=sender, recipient=recipient, control_reference=control_reference, **options)
    for reference, identifier, body in messages:
        writer.write_message(reference, identifier, body)
    writer.close()
    return out.getvalue()
