"""The safe XML parser: DTDs, entities and unscannable encodings refused, size bounded, errors located."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator

import pytest
from lxml import etree

from bus.errors import PermanentError
from transformers import safexml
from transformers.safexml import MalformedXml, UnsafeXml, XmlTooLarge, iterparse, parse_xml

XXE_FILE = b"""<?xml version="1.0"?>
<!DOCTYPE order [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<order><note>&secret;</note></order>"""

XXE_URL = b"""<?xml version="1.0"?>
<!DOCTYPE order [<!ENTITY remote SYSTEM "http://127.0.0.1:9/steal">]>
<order><note>&remote;</note></order>"""

PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE order [<!ENTITY % ext SYSTEM "http://127.0.0.1:9/evil.dtd"> %ext;]>
<order/>"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE order SYSTEM "http://127.0.0.1:9/order.dtd">
<order/>"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<lolz>&lol9;</lolz>"""

DOCTYPE_ONLY = b'<?xml version="1.0"?><!DOCTYPE order><order/>'


def parse_all(data: bytes, **options: object) -> list[tuple[str, etree._Element]]:
    return list(iterparse(io.BytesIO(data), **options))  # type: ignore[arg-type]


PARSERS: dict[str, Callable[[bytes], object]] = {
    "parse_xml": parse_xml,
    "iterparse": parse_all,
    "iterparse-3-byte-chunks": lambda data: parse_all(data, chunk_size=3),
}


@pytest.fixture(params=sorted(PARSERS))
def parse(request: pytest.FixtureRequest) -> Callable[[bytes], object]:
    return PARSERS[request.param]


def test_a_plain_document_parses() -> None:
    root = parse_xml(b"<?xml version='1.0' encoding='UTF-8'?><order id='1'><!-- note --><line>\xc3\xa4</line></order>")

    assert root.tag == "order" and root[0].text == "\u00e4"
    assert len(root) == 1  # comments dropped


@pytest.mark.parametrize(
    "document",
    [XXE_FILE, XXE_URL, PARAMETER_ENTITY, EXTERNAL_DTD, BILLION_LAUGHS, DOCTYPE_ONLY],
    ids=["xxe-file", "xxe-url", "parameter-entity", "external-dtd", "billion-laughs", "doctype"],
)
def test_dtds_and_entities_are_refused(parse: Callable[[bytes], object], document: bytes) -> None:
    with pytest.raises(UnsafeXml, match="refused"):
        parse(document)


def test_a_refused_document_yields_nothing() -> None:
    events = iterparse(io.BytesIO(XXE_FILE), events=("start", "end"))

    with pytest.raises(UnsafeXml):
        next(events)


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_a_doctype_in_utf16_is_refused(parse: Callable[[bytes], object], codec: str) -> None:
    document = XXE_FILE.decode().replace('version="1.0"', 'version="1.0" encoding="UTF-16"').encode(codec)

    with pytest.raises(UnsafeXml):
        parse(document)


def test_utf16_without_doctype_parses() -> None:
    document = '<?xml version="1.0" encoding="UTF-16"?><order><line>Zürich</line></order>'.encode("utf-16")

    assert parse_xml(document)[0].text == "Zürich"
    assert [element.tag for _, element in parse_all(document)] == ["line", "order"]


@pytest.mark.parametrize(
    "document",
    [
        '<?xml version="1.0" encoding="UTF-32"?><!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>'.encode("utf-32"),
        '<?xml version="1.0"?><a/>'.encode("utf-32-be"),
        '<?xml version="1.0"?><a/>'.encode("utf-32-le"),
        b'<?xml version="1.0" encoding="UTF-7"?>+ADw-!DOCTYPE a +AFs-+ADw-!ENTITY x +ACI-y+ACI-+AD4-+AF0-+AD4-<a/>',
        '<?xml version="1.0" encoding="cp037"?><a/>'.encode("cp037"),
    ],
    ids=["utf-32-bom", "utf-32-be", "utf-32-le", "utf-7", "ebcdic"],
)
def test_encodings_the_scan_cannot_see_into_are_refused(parse: Callable[[bytes], object], document: bytes) -> None:
    with pytest.raises(UnsafeXml, match="refused"):
        parse(document)


@pytest.mark.parametrize("encoding", ["ISO-8859-1", "windows-1252", "US-ASCII", "utf-8"])
def test_single_byte_and_utf8_declarations_are_read(encoding: str) -> None:
    document = f'<?xml version="1.0" encoding="{encoding}"?><a>x</a>'.encode("latin-1")

    assert parse_xml(document).text == "x"


def test_a_document_over_the_bound_is_refused_before_parsing() -> None:
    document = b"<a>" + b"x" * 1000 + b"</a>"

    with pytest.raises(XmlTooLarge, match="limit is 100 bytes"):
        parse_xml(document, max_bytes=100)
    with pytest.raises(XmlTooLarge):
        parse_all(document, max_bytes=100, chunk_size=64)


@pytest.mark.parametrize(
    ("document", "line", "column"),
    [
        (b"<order>\n  <line>\n</order>", 3, 9),
        (b"<order>\n<a>1</a>\n<b>2</b>\n<c>3</d>\n</order>", 4, 9),
    ],
)
def test_malformed_xml_names_line_and_column(
    parse: Callable[[bytes], object], document: bytes, line: int, column: int
) -> None:
    with pytest.raises(MalformedXml, match=rf"malformed XML at line {line}, column {column}: "):
        parse(document)


@pytest.mark.parametrize("document", [b"", b"   \n"])
def test_an_empty_document_is_malformed(document: bytes) -> None:
    with pytest.raises(MalformedXml, match=r"the document is empty|malformed XML at line"):
        parse_xml(document)
    with pytest.raises(MalformedXml):
        parse_all(document)


def test_a_truncated_document_is_malformed() -> None:
    with pytest.raises(MalformedXml, match="line 1"):
        parse_all(b"<order><line>1</line>")


def test_every_refusal_is_a_permanent_error() -> None:
    for error in (safexml.XmlRejected, UnsafeXml, XmlTooLarge, MalformedXml):
        assert issubclass(error, PermanentError)


def test_iterparse_streams_from_chunks_and_filters_by_tag() -> None:
    def chunks() -> Iterator[bytes]:
        yield b"<root><IDOC n='1'><x/></IDOC>"
        yield b"<ns:IDOC xmlns:ns='urn:x' n='2'/></root>"

    found = [element.get("n") for _, element in iterparse(chunks(), tag="{*}IDOC")]
    assert found == ["1", "2"]


def test_iterparse_with_namespace_events() -> None:
    events = [event for event, _ in iterparse(io.BytesIO(b"<a xmlns='urn:x'><b/></a>"), events=("start-ns", "end"))]

    assert events == ["start-ns", "end", "end"]


def test_a_declaration_split_across_chunks_is_seen() -> None:
    document = b"<?xml version='1.0'?>" + b" " * 300 + b"<!DOCTYPE a [<!ENTITY x 'y'>]><a>&x;</a>"

    for size in (1, 2, 5, 7, 64):
        with pytest.raises(UnsafeXml):
            parse_all(document, chunk_size=size)


def test_iterparse_wants_bytes() -> None:
    with pytest.raises(TypeError, match="binary stream"):
        list(iterparse(io.StringIO("<a/>")))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="byte chunks"):
        list(iterparse(["<a/>"]))  # type: ignore[list-item]
    with pytest.raises(TypeError, match="takes bytes"):
        parse_xml("<a/>")  # type: ignore[arg-type]
