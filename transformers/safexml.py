"""The one place the bus parses untrusted XML.

Every XML document that enters from outside (IDoc-XML, SOAP bodies, files) goes through ``parse_xml`` or
``iterparse``. Both:

* refuse documents larger than a bound before parsing anything;
* refuse encodings a byte scan cannot check (UTF-32, UTF-7, EBCDIC, ...): only UTF-8, UTF-16, ASCII and the
  ISO-8859 / Windows-125x single-byte encodings are read;
* refuse any document type declaration (``<!DOCTYPE``) or entity declaration (``<!ENTITY``) outright, so
  XXE (external entities, external DTDs) and entity expansion bombs ("billion laughs") are rejected before
  any entity could be expanded. Business documents never need a DTD;
* parse with an lxml parser that resolves no entities, loads no DTD, never touches the network, keeps the
  libxml2 size limits (``huge_tree=False``) and drops comments and processing instructions;
* turn every parser failure into ``MalformedXml`` with the line and column.

All errors derive from ``XmlRejected`` (a ``PermanentError``: the same bytes will fail again).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from lxml import etree

from bus.errors import PermanentError

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
"""Default bound on a document's size: far above any IDoc packet, far below what hurts a worker."""

_CHUNK = 64 * 1024

# Markup that declares a DTD or entities, in the encodings a byte scan can see directly (ASCII-compatible
# encodings and UTF-16). Documents in other encodings are refused (below); the parsed document's DOCTYPE is
# checked as well, as a second line.
_FORBIDDEN: tuple[tuple[bytes, str], ...] = tuple(
    (marker.encode(codec), label)
    for marker, label in (("<!DOCTYPE", "document type declaration"), ("<!ENTITY", "entity declaration"))
    for codec in ("ascii", "utf-16-le", "utf-16-be")
)
_OVERLAP = max(len(marker) for marker, _ in _FORBIDDEN) - 1

# Encodings in which the byte scan above sees every declaration. libxml2 also reads UTF-32, UTF-7, EBCDIC and
# whatever iconv knows, where "<!DOCTYPE" has other bytes: those documents are refused before parsing.
_ALLOWED_ENCODING = re.compile(
    r"utf-?8|utf-?16(-?[lb]e)?|(us-)?ascii|iso[-_]?8859-\d{1,2}|latin-?1|(windows|cp)-?125\d", re.IGNORECASE
)
_DECLARED_ENCODING = re.compile(rb"^<\?xml[^>]*?encoding\s*=\s*[\"']([^\"']*)[\"']")
_UNCHECKABLE_STARTS = (
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\x00<", "UTF-32"),
    (b"<\x00\x00\x00", "UTF-32"),
    (b"\x4c\x6f\xa7\x94", "EBCDIC"),
)
_HEAD = 256


class XmlRejected(PermanentError):
    """Base of every reason an XML document is refused."""


class XmlTooLarge(XmlRejected):
    """The document is larger than the allowed bound."""


class UnsafeXml(XmlRejected):
    """The document declares a DTD or entities (XXE, billion laughs): refused before parsing."""


class MalformedXml(XmlRejected):
    """The document is not well-formed XML."""


def _parser_options() -> dict[str, bool]:
    return {
        "resolve_entities": False,
        "no_network": True,
        "load_dtd": False,
        "dtd_validation": False,
        "huge_tree": False,
        "remove_comments": True,
        "remove_pis": True,
        "strip_cdata": True,
        "collect_ids": False,
    }


def safe_parser() -> etree.XMLParser:
    """A fresh hardened parser (lxml parsers are not thread-safe, so one per call)."""
    return etree.XMLParser(**_parser_options())


def _check_markup(chunk: bytes) -> None:
    for marker, label in _FORBIDDEN:
        if marker in chunk:
            raise UnsafeXml(f"XML with a {label} is refused: DTDs and entities are never accepted")


def _check_encoding(head: bytes) -> None:
    """Refuse documents in encodings the byte scan cannot see into (see ``_ALLOWED_ENCODING``)."""
    for start, name in _UNCHECKABLE_STARTS:
        if head.startswith(start):
            raise UnsafeXml(f"XML in {name} is refused: send UTF-8 or UTF-16")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or head[1:2] == b"\x00" or head[:1] == b"\x00":
        codec = "utf-16-be" if head.startswith(b"\xfe\xff") or head[:1] == b"\x00" else "utf-16-le"
        text = head[: len(head) // 2 * 2].decode(codec, errors="replace").lstrip("\ufeff")
        head = text.encode("ascii", errors="replace")
    match = _DECLARED_ENCODING.match(head.removeprefix(b"\xef\xbb\xbf"))
    if match is not None and not _ALLOWED_ENCODING.fullmatch(match.group(1).decode("ascii", "replace")):
        raise UnsafeXml(
            f"XML declared in encoding {match.group(1).decode('ascii', 'replace')!r} is refused: send UTF-8 or UTF-16"
        )


def _check_docinfo(tree: etree._ElementTree) -> None:
    docinfo = tree.docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise UnsafeXml("XML with a document type declaration is refused: DTDs and entities are not allowed")


def _malformed(exc: etree.XMLSyntaxError) -> MalformedXml:
    line, column = exc.position if exc.position else (0, 0)
    message = (exc.msg or str(exc)).strip()
    return MalformedXml(f"malformed XML at line {line}, column {column}: {message}")


def parse_xml(data: bytes | bytearray | memoryview, *, max_bytes: int = DEFAULT_MAX_BYTES) -> etree._Element:
    """Parse an untrusted document and return its root element.

    Raises ``XmlTooLarge`` above ``max_bytes``, ``UnsafeXml`` for any DTD or entity declaration and
    ``MalformedXml`` for anything that is not well-formed.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(f"parse_xml takes bytes, not {type(data).__name__}")
    data = bytes(data)
    if len(data) > max_bytes:
        raise XmlTooLarge(f"XML document of {len(data)} bytes refused: the limit is {max_bytes} bytes")
    if not data.strip():
        raise MalformedXml("malformed XML: the document is empty")
    _check_encoding(data[:_HEAD])
    _check_markup(data)
    try:
        root = etree.fromstring(data, safe_parser())
    except etree.XMLSyntaxError as exc:
        raise _malformed(exc) from None
    if root is None:
        raise MalformedXml("malformed XML: no root element")
    _check_docinfo(root.getroottree())
    return root


def iterparse(
    source: BinaryIO | Iterable[bytes],
    *,
    events: tuple[str, ...] = ("end",),
    tag: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    chunk_size: int = _CHUNK,
) -> Iterator[tuple[str, etree._Element]]:
    """Stream ``(event, element)`` pairs from a large untrusted document.

    ``source`` is a binary file-like object or an iterable of byte chunks. The same rules as ``parse_xml``
    apply, checked chunk by chunk before the parser sees the bytes. Callers that keep memory flat clear each
    element they are done with (``element.clear()``).
    """
    parser = etree.XMLPullParser(events=events, tag=tag, **_parser_options())
    checked_docinfo = False
    for chunk in _screened(_chunks(source, chunk_size), max_bytes):
        for event, element in _feed(parser, chunk):
            if not checked_docinfo and isinstance(element, etree._Element):
                _check_docinfo(element.getroottree())
                checked_docinfo = True
            yield event, element
    try:
        root = parser.close()
    except etree.XMLSyntaxError as exc:
        raise _malformed(exc) from None
    _check_docinfo(root.getroottree())
    yield from parser.read_events()


def _screened(chunks: Iterator[bytes], max_bytes: int) -> Iterator[bytes]:
    """The chunks, once each passed the size bound and the markup scan, and the document's start its encoding
    check: the parser sees no byte before the checks that cover it."""
    total = 0
    tail = b""
    head: bytes | None = b""
    for chunk in chunks:
        total += len(chunk)
        if total > max_bytes:
            raise XmlTooLarge(f"XML document refused: larger than the limit of {max_bytes} bytes")
        _check_markup(tail + chunk)
        tail = chunk[-_OVERLAP:]
        if head is None:
            yield chunk
            continue
        head += chunk
        if len(head) >= _HEAD:
            _check_encoding(head)
            yield head
            head = None
    if total == 0:
        raise MalformedXml("malformed XML: the document is empty")
    if head:
        _check_encoding(head)
        yield head


def _feed(parser: etree.XMLPullParser, chunk: bytes) -> list[tuple[str, etree._Element]]:
    try:
        parser.feed(chunk)
    except etree.XMLSyntaxError as exc:
        raise _malformed(exc) from None
    return list(parser.read_events())


def _chunks(source: BinaryIO | Iterable[bytes], size: int) -> Iterator[bytes]:
    read = getattr(source, "read", None)
    if read is None:
        for chunk in source:
            if not isinstance(chunk, bytes | bytearray):
                raise TypeError(f"iterparse takes byte chunks, not {type(chunk).__name__}")
            if chunk:
                yield bytes(chunk)
        return
    while True:
        chunk = read(size)
        if not chunk:
            return
        if not isinstance(chunk, bytes | bytearray):
            raise TypeError("iterparse takes a binary stream (open the file with 'rb')")
        yield bytes(chunk)
