"""IDoc-XML: SAP's IDOC/EDI_DC40/segment elements, containers and namespaces, writing, refusing unsafe XML."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from lxml import etree

from transformers import safexml
from transformers.decoding import DecodeFailed, get_decoder
from transformers.idoc import ControlRecord, Idoc, Segment, flat_bytes, read_flat, read_xml, xml_bytes
from transformers.idoc.errors import IdocEncodeError

DATA = Path(__file__).parent / "data" / "idoc"


def read(text: str | bytes) -> list[Idoc]:
    data = text.encode() if isinstance(text, str) else text
    return list(read_xml(io.BytesIO(data)))


def one_idoc(segments: str, *, root: str = "ZTEST01", control: str = "") -> str:
    return (
        f"<{root}><IDOC BEGIN='1'><EDI_DC40 SEGMENT='1'><TABNAM>EDI_DC40</TABNAM><DOCNUM>0000000000000077</DOCNUM>"
        f"<IDOCTYP>ZTEST01</IDOCTYP><MESTYP>ZTEST</MESTYP>{control}</EDI_DC40>{segments}</IDOC></{root}>"
    )


def test_reads_several_idocs_of_a_document() -> None:
    idocs = list(read_xml((DATA / "loipro01.xml").open("rb")))

    assert [idoc.docnum for idoc in idocs] == ["0000000000481516", "0000000000481517"]
    control = idocs[0].control
    assert (control.IDOCTYP, control.MESTYP, control.SNDPRN, control.SERIAL) == (
        "LOIPRO01",
        "LOIPRO",
        "P01CLNT100",
        "20261124071502",
    )
    header = idocs[0].segments[0]
    assert [child.name for child in header.children] == ["E1JSTKL", "E1AFFLL"]
    assert [op.get("ARBPL") for op in idocs[0].iter("E1AFVOL")] == ["SAW-01", "LATHE-01", "MILL-02", "QC-01"]
    assert idocs[0].first("E1JSTKL").fields == {"STAT": "I0002", "TXT04": "REL"}


def test_segments_get_the_numbers_they_would_have_in_a_flat_file() -> None:
    idoc = next(read_xml((DATA / "loipro01.xml").open("rb")))
    from_flat = next(read_flat((DATA / "loipro01.txt").open("rb")))

    numbers = [(s.name, s.segnum, s.psgnum, s.hlevel) for s in idoc.iter()]
    assert numbers == [(s.name, s.segnum, s.psgnum, s.hlevel) for s in from_flat.iter()]


def test_xml_and_flat_samples_hold_the_same_idocs() -> None:
    from_xml = list(read_xml((DATA / "loipro01.xml").open("rb")))
    from_flat = list(read_flat((DATA / "loipro01.txt").open("rb")))

    assert from_xml[1] == from_flat[1]

    def known_fields(idoc: Idoc) -> list[tuple[str, dict[str, str]]]:
        return [(s.name, {k: v for k, v in s.fields.items() if v}) for s in idoc.iter() if s.name != "E1JSTKL"]

    assert known_fields(from_xml[0]) == known_fields(from_flat[0])


def test_an_idoc_packet_inside_a_soap_envelope_reads() -> None:
    (idoc,) = read_xml((DATA / "mbgmcr03.xml").open("rb"))

    assert idoc.control.IDOCTYP == "MBGMCR03"
    assert [s.name for s in idoc.iter()] == [
        "E1MBGMCR",
        "E1BP2017_GM_HEAD_01",
        "E1BP2017_GM_CODE",
        "E1BP2017_GM_ITEM_CREATE",
    ]


def test_an_idoc_list_inside_any_container_reads() -> None:
    (idoc,) = read_xml((DATA / "pptimeticket.xml").open("rb"))

    assert [s.get("OPERATION") for s in idoc.iter("E1BP_PP_TIMETICKET")] == ["0020", "0030"]


def test_namespaced_elements_and_lowercase_segment_attributes_read() -> None:
    document = (
        "<ns:ZTEST01 xmlns:ns='urn:sap-com:document:sap:idoc:soap:messages'><ns:IDOC BEGIN='1'>"
        "<ns:EDI_DC40 SEGMENT='1'><ns:DOCNUM>0000000000000078</ns:DOCNUM><ns:IDOCTYP>ZTEST01</ns:IDOCTYP></ns:EDI_DC40>"
        "<ns:Z1HEAD segment='1'><ns:KEY>A</ns:KEY><ns:Z1EMPTY segment='1'/></ns:Z1HEAD></ns:IDOC></ns:ZTEST01>"
    )

    (idoc,) = read(document)
    assert idoc.docnum == "0000000000000078"
    (head,) = idoc.segments
    assert head.fields == {"KEY": "A"}
    assert [child.name for child in head.children] == ["Z1EMPTY"]


def test_sap_namespace_slashes_are_written_as_underscore_dash() -> None:
    idoc = Idoc(ControlRecord(DOCNUM="1", IDOCTYP="/ABC/ZTYPE01"), [Segment("/ABC/E1HEAD", {"KEY": "A"})])

    written = xml_bytes([idoc])
    assert b"<_-ABC_-ZTYPE01>" in written and b'<_-ABC_-E1HEAD SEGMENT="1">' in written
    (back,) = read(written)
    assert back.segments[0].name == "/ABC/E1HEAD"


@pytest.mark.parametrize("name", ["loipro01.xml", "mbgmcr03.xml", "pptimeticket.xml", "matmas05.xml"])
def test_written_and_read_back_the_idocs_are_equal(name: str) -> None:
    idocs = list(read_xml((DATA / name).open("rb")))

    assert read(xml_bytes(idocs)) == idocs


def test_the_written_document_follows_sap_form() -> None:
    idocs = list(read_xml((DATA / "loipro01.xml").open("rb")))

    root = etree.fromstring(xml_bytes(idocs))
    assert root.tag == "LOIPRO01"
    assert [idoc.get("BEGIN") for idoc in root] == ["1", "1"]
    first = root[0]
    assert first[0].tag == "EDI_DC40" and first[0].get("SEGMENT") == "1"
    assert [element.tag for element in first[0]][:3] == ["TABNAM", "MANDT", "DOCNUM"]
    header = first[1]
    assert header.tag == "E1AFKOL" and header.get("SEGMENT") == "1"
    assert [element.tag for element in header][:4] == ["AUFNR", "AUTYP", "AUART", "WERKS"]
    assert header.find("CHARG").text == "B2612-01"
    assert header.find("MATNR_LONG") is None  # empty fields are left out


def test_flat_idocs_with_known_layouts_convert_to_xml_and_back() -> None:
    from_flat = list(read_flat((DATA / "wmmbxy.txt").open("rb")))

    from_xml = read(xml_bytes(from_flat))
    assert from_xml == from_flat
    assert flat_bytes(from_xml) == (DATA / "wmmbxy.txt").read_bytes()


def test_idocs_of_different_types_do_not_share_a_document() -> None:
    order = Idoc(ControlRecord(DOCNUM="1", IDOCTYP="LOIPRO01"), [])
    movement = Idoc(ControlRecord(DOCNUM="2", IDOCTYP="WMMBID02"), [])

    with pytest.raises(IdocEncodeError, match="IDoc 2 is a WMMBID02, the document holds LOIPRO01 IDocs"):
        xml_bytes([order, movement])


def test_a_segment_read_without_layout_cannot_be_written_as_xml() -> None:
    (idoc,) = read_flat((DATA / "matmas05.txt").open("rb"))

    with pytest.raises(IdocEncodeError, match="E1MARAM was read without a layout"):
        xml_bytes([idoc])


def test_characters_xml_cannot_carry_are_refused_when_writing() -> None:
    idoc = Idoc(ControlRecord(DOCNUM="1", IDOCTYP="WMMBID02"), [Segment("E1MBXYH", {"BKTXT": "bell \x07"})])

    with pytest.raises(IdocEncodeError, match="cannot be written as XML"):
        xml_bytes([idoc])


def test_a_value_longer_than_its_field_is_refused_in_xml_too() -> None:
    idoc = Idoc(ControlRecord(DOCNUM="1", IDOCTYP="WMMBID02"), [Segment("E1MBXYH", {"XBLNR": "X" * 17})])

    with pytest.raises(IdocEncodeError, match="E1MBXYH-XBLNR holds 16 characters"):
        xml_bytes([idoc])


# --- documents that are refused


def test_malformed_xml_is_refused_with_line_and_column() -> None:
    with pytest.raises(DecodeFailed, match=r"malformed XML at line 3, column \d+") as failure:
        read(b"<LOIPRO01>\n<IDOC BEGIN='1'>\n<EDI_DC40></IDOC>\n</LOIPRO01>")
    assert isinstance(failure.value.__cause__, safexml.MalformedXml)


def test_a_document_without_idoc_is_refused() -> None:
    with pytest.raises(DecodeFailed, match="not an IDoc-XML document: it holds no IDOC element"):
        read(b"<?xml version='1.0'?><orders><order id='4711'/></orders>")


def test_an_idoc_without_control_record_is_refused() -> None:
    with pytest.raises(DecodeFailed, match="does not start with its EDI_DC40 control record"):
        read(b"<LOIPRO01><IDOC BEGIN='1'><E1AFKOL SEGMENT='1'><AUFNR>1</AUFNR></E1AFKOL></IDOC></LOIPRO01>")


def test_a_control_record_without_idoc_type_is_refused() -> None:
    with pytest.raises(DecodeFailed, match="names no IDoc type"):
        read(b"<X><IDOC><EDI_DC40><DOCNUM>1</DOCNUM></EDI_DC40></IDOC></X>")


def test_a_field_given_twice_is_refused() -> None:
    document = one_idoc("<Z1HEAD SEGMENT='1'><KEY>A</KEY><KEY>B</KEY></Z1HEAD>")

    with pytest.raises(DecodeFailed) as failure:
        read(document)
    assert failure.value.location == "line 1, IDoc 0000000000000077, segment Z1HEAD 000001, field KEY"


XXE_FILE = b"""<?xml version="1.0"?>
<!DOCTYPE LOIPRO01 [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<LOIPRO01><IDOC BEGIN="1"><EDI_DC40 SEGMENT="1"><DOCNUM>0000000000000001</DOCNUM><IDOCTYP>LOIPRO01</IDOCTYP>
</EDI_DC40><E1AFKOL SEGMENT="1"><AUFNR>&secret;</AUFNR></E1AFKOL></IDOC></LOIPRO01>"""


def test_xxe_inside_idoc_xml_is_refused_before_anything_is_decoded() -> None:
    decoded = []
    with pytest.raises(DecodeFailed) as failure:
        for message in get_decoder("idoc.xml")(io.BytesIO(XXE_FILE)):
            decoded.append(message)
    assert decoded == []
    assert isinstance(failure.value.__cause__, safexml.UnsafeXml)
    assert "root:" not in str(failure.value)


def test_an_entity_declaration_after_valid_idocs_stops_the_document() -> None:
    valid = (DATA / "loipro01.xml").read_bytes()
    bomb = valid.replace(b"</LOIPRO01>", b"<!ENTITY lol 'lol'></LOIPRO01>")

    with pytest.raises(DecodeFailed) as failure:
        read(bomb)
    assert isinstance(failure.value.__cause__, safexml.UnsafeXml)


def test_a_document_over_the_size_bound_is_refused() -> None:
    data = (DATA / "loipro01.xml").read_bytes()

    with pytest.raises(DecodeFailed) as failure:
        list(read_xml(io.BytesIO(data), max_bytes=len(data) - 1))
    assert isinstance(failure.value.__cause__, safexml.XmlTooLarge)
