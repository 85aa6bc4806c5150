"""Errors of the IDoc codec, each saying where in the document the problem is."""

from __future__ import annotations

from bus.errors import TransformFailed
from transformers.decoding import DecodeFailed


class IdocEncodeError(TransformFailed):
    """A value cannot be written into an IDoc (too long for its field, a segment without a known layout, ...)."""


def location(
    *,
    line: int | None = None,
    docnum: str | None = None,
    segment: str | None = None,
    segnum: int | None = None,
    field: str | None = None,
) -> str | None:
    """``line 12, IDoc 0000000000004711, segment E1AFVOL 000005, field VGW01``: the parts that are known."""
    parts = []
    if line is not None:
        parts.append(f"line {line}")
    if docnum:
        parts.append(f"IDoc {docnum}")
    if segment:
        parts.append(f"segment {segment} {segnum:06d}" if segnum else f"segment {segment}")
    if field:
        parts.append(f"field {field}")
    return ", ".join(parts) or None


def decode_failed(
    reason: str,
    *,
    line: int | None = None,
    docnum: str | None = None,
    segment: str | None = None,
    segnum: int | None = None,
    field: str | None = None,
) -> DecodeFailed:
    """A ``DecodeFailed`` whose location names the line, IDoc, segment and field that are known."""
    where = location(line=line, docnum=docnum, segment=segment, segnum=segnum, field=field)
    return DecodeFailed(reason, location=where)
