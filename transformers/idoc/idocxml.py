"""IDoc-XML: each IDoc an ``<IDOC BEGIN="1">`` element holding ``<EDI_DC40 SEGMENT="1">`` and nested segments.

SAP writes ``<LOIPRO01><IDOC BEGIN="1">...</IDOC><IDOC BEGIN="1">...</IDOC></LOIPRO01>``, the root named after
the IDoc type. The reader does not rely on the root: it takes every ``IDOC`` element wherever it is, so an
IDoc packet inside a SOAP body or any other container (``<idocData>``, ``<urn:LOIPRO01 xmlns:urn=...>``)
reads the same. Namespaces are ignored. A segment is an element with a ``SEGMENT`` attribute or with child
elements; every other element is a field. Segment names with SAP namespaces (``/ABC/E1SEG``) appear in XML
as ``_-ABC_-E1SEG``.

Documents are parsed through ``transformers.safexml`` (no DTD, no entities, bounded size) and streamed:
each IDoc is released from memory once read.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from lxml import etree

from transformers import safexml
from transformers.idoc.errors import IdocEncodeError, decode_failed
from transformers.idoc.flat import TOP_LEVEL
from transformers.idoc.layout import CONTROL_RECORD
from transformers.idoc.model import ControlRecord, Idoc, Segment
from transformers.idoc.segments import BUILTIN_SEGMENTS, SegmentCatalog

MAX_DOCUMENT_BYTES = 512 * 1024 * 1024
"""Upper bound on an IDoc-XML document; it is streamed, so memory stays flat well below this."""

_CONTROL_FIELDS = {name: name for name in ControlRecord.field_names()}
"""Control record fields by name. The values are the interned names of ``ControlRecord``'s parameters: passed as
keywords they match by identity, where names read from XML would be compared with each parameter's name."""


def read_xml(stream: BinaryIO, *, max_bytes: int = MAX_DOCUMENT_BYTES) -> Iterator[Idoc]:
    """Yield the IDocs of an IDoc-XML document one by one.

    Raises ``DecodeFailed`` for XML that is refused (DTD, entities, too large: the cause is the
    ``safexml`` error) or malformed (with line and column), for an ``IDOC`` element without its control
    record, and for a document without any ``IDOC`` element.
    """
    count = 0
    try:
        for _event, element in safexml.iterparse(stream, events=("end",), tag="{*}IDOC", max_bytes=max_bytes):
            count += 1
            idoc = _read_idoc(element, count)
            _release(element)
            yield idoc
    except safexml.XmlRejected as exc:
        raise decode_failed(f"not a readable IDoc-XML document: {exc}") from exc
    if count == 0:
        raise decode_failed("not an IDoc-XML document: it holds no IDOC element")


def _local(tag: str) -> str:
    return tag.rpartition("}")[2] if tag[0] == "{" else tag


def _sap_name(tag: str) -> str:
    name = _local(tag)
    return name.replace("_-", "/") if "_-" in name else name


def _elements(parent: etree._Element) -> Iterator[etree._Element]:
    """Child elements only (no comments or processing instructions)."""
    for child in parent:
        if isinstance(child.tag, str):
            yield child


def _read_idoc(element: etree._Element, ordinal: int) -> Idoc:
    children = _elements(element)
    control_element = next(children, None)
    if control_element is None or _local(control_element.tag) != "EDI_DC40":
        raise decode_failed(
            f"IDOC element number {ordinal} does not start with its EDI_DC40 control record", line=element.sourceline
        )
    control = ControlRecord(**_control_fields(control_element))
    if not control.IDOCTYP:
        raise decode_failed(
            "the control record names no IDoc type (IDOCTYP)", line=control_element.sourceline, docnum=control.docnum
        )
    idoc = Idoc(control, [], element.sourceline)
    numbers = itertools.count(1)  # the SEGNUM each segment would have in a flat file (for messages)
    idoc.segments.extend(_read_segment(child, idoc, numbers, 0, TOP_LEVEL) for child in children)
    return idoc


def _control_fields(element: etree._Element) -> dict[str, str]:
    values: dict[str, str] = {}
    for child in element:
        tag = child.tag
        if isinstance(tag, str):  # not a comment or processing instruction
            name = _CONTROL_FIELDS.get(_local(tag))
            if name is not None:
                values[name] = (child.text or "").strip()
    return values


def _read_segment(element: etree._Element, idoc: Idoc, numbers: Iterator[int], parent: int, level: int) -> Segment:
    """The segment ``element`` with its fields and child segments (the IDoc's hot loop: one pass per field)."""
    segment = Segment(_sap_name(element.tag), {}, [], None, None, next(numbers), parent, level)
    fields = segment.fields
    for child in element:
        tag = child.tag
        if not isinstance(tag, str):  # a comment or processing instruction
            continue
        text = child.text
        value = text.rstrip() if text else ""  # "" for blank text too
        if len(child) or (not value and _marked_as_segment(child)):
            segment.children.append(_read_segment(child, idoc, numbers, segment.segnum, level + 1))
            continue
        field = tag.rpartition("}")[2] if tag[0] == "{" else tag
        if field in fields:
            raise decode_failed(
                "the field appears twice in the segment",
                line=child.sourceline,
                docnum=idoc.docnum,
                segment=segment.name,
                segnum=segment.segnum,
                field=field,
            )
        fields[field] = value
    return segment


def _marked_as_segment(element: etree._Element) -> bool:
    """A childless, blank element is a segment (not an empty field) when its SEGMENT attribute says so."""
    return element.get("SEGMENT") is not None or element.get("segment") is not None


def _release(element: etree._Element) -> None:
    """Free an IDOC element that was read, and the (already read) siblings before it."""
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def write_xml(idocs: Iterable[Idoc], stream: BinaryIO, *, segments: SegmentCatalog = BUILTIN_SEGMENTS) -> None:
    """Write IDocs of one type as an IDoc-XML document, the root named after the type (``<LOIPRO01>``).

    Fields are written in their layout's order when the segment's layout is known; empty fields are left out,
    as SAP does. A value longer than its field fails with ``IdocEncodeError``.
    """
    iterator = iter(idocs)
    first = next(iterator, None)
    if first is None:
        raise IdocEncodeError("an IDoc-XML document holds at least one IDoc")
    root_name = first.control.type_name
    try:
        with etree.xmlfile(stream, encoding="UTF-8") as document:
            document.write_declaration()
            with document.element(_xml_name(root_name)):
                for idoc in itertools.chain([first], iterator):
                    if idoc.control.type_name != root_name:
                        raise IdocEncodeError(
                            f"IDoc {idoc.docnum} is a {idoc.control.type_name}, the document holds {root_name} IDocs"
                        )
                    document.write(_idoc_element(idoc, segments))
    except ValueError as exc:  # lxml refuses characters XML cannot carry (control characters)
        raise IdocEncodeError(f"a value cannot be written as XML: {exc}") from exc


def xml_bytes(idocs: Iterable[Idoc], *, segments: SegmentCatalog = BUILTIN_SEGMENTS) -> bytes:
    """The IDoc-XML document of ``idocs`` as bytes."""
    buffer = io.BytesIO()
    write_xml(idocs, buffer, segments=segments)
    return buffer.getvalue()


def _xml_name(name: str) -> str:
    return name.replace("/", "_-")


def _idoc_element(idoc: Idoc, segments: SegmentCatalog) -> etree._Element:
    element = etree.Element("IDOC", BEGIN="1")
    control = etree.SubElement(element, "EDI_DC40", SEGMENT="1")
    values = idoc.control.as_dict()
    CONTROL_RECORD.check(values)
    for name, value in values.items():
        if value:
            etree.SubElement(control, name).text = value
    for segment in idoc.segments:
        _segment_element(element, segment, segments)
    return element


def _segment_element(parent: etree._Element, segment: Segment, segments: SegmentCatalog) -> None:
    if not segment.known:
        raise IdocEncodeError(
            f"segment {segment.name} was read without a layout, so its fields are unknown and it cannot be "
            "written as XML; add its layout to the segment catalog"
        )
    element = etree.SubElement(parent, _xml_name(segment.name), SEGMENT="1")
    values = segment.fields
    layout = segments.get(segment.name)
    if layout is not None:
        layout.check(values)
        ordered = [name for name in layout.by_name if values.get(name)]
        ordered += [name for name in values if values[name] and name not in layout.by_name]
    else:
        ordered = [name for name in values if values[name]]
    for name in ordered:
        etree.SubElement(element, name).text = values[name]
    for child in segment.children:
        _segment_element(element, child, segments)
