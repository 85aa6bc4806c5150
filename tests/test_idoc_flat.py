"""IDoc flat files: EDI_DC40/EDI_DD40 records, hierarchy, several IDocs per file, errors with their location."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from transformers.decoding import DecodeFailed
from transformers.idoc import (
    BUILTIN_SEGMENTS,
    CONTROL_RECORD,
    ControlRecord,
    Idoc,
    Segment,
    flat_bytes,
    parser_layouts,
    read_flat,
)
from transformers.idoc.errors import IdocEncodeError

DATA = Path(__file__).parent / "data" / "idoc"


def records(path: Path) -> list[str]:
    return path.read_bytes().decode().splitlines()


def read(text: str) -> list[Idoc]:
    return list(read_flat(io.BytesIO(text.encode())))


def replace(record: str, start: int, value: str) -> str:
    return record[:start] + value + record[start + len(value) :]


def test_control_record_layout_matches_the_model_and_sap_offsets() -> None:
    assert [spec.name for spec in CONTROL_RECORD.fields] == list(ControlRecord.field_names())
    offsets = {spec.name: spec.offset for spec in CONTROL_RECORD.fields}
    # Standard EDI_DC40 positions (0-based): DOCNUM 13, IDOCTYP 39, MESTYP 99, SNDPOR 148, RCVPOR 263, CREDAT 378
    assert (offsets["DOCNUM"], offsets["IDOCTYP"], offsets["MESTYP"]) == (13, 39, 99)
    assert (offsets["SNDPOR"], offsets["RCVPOR"], offsets["CREDAT"], offsets["SERIAL"]) == (148, 263, 378, 504)
    assert CONTROL_RECORD.size == 524


def test_reads_several_idocs_with_their_control_records() -> None:
    idocs = list(read_flat((DATA / "loipro01.txt").open("rb")))

    assert [idoc.docnum for idoc in idocs] == ["0000000000481516", "0000000000481517"]
    control = idocs[0].control
    assert (control.IDOCTYP, control.MESTYP, control.MANDT, control.DIRECT) == ("LOIPRO01", "LOIPRO", "100", "1")
    assert (control.SNDPOR, control.SNDPRT, control.SNDPRN) == ("SAPP01", "LS", "P01CLNT100")
    assert (control.RCVPOR, control.RCVPRN, control.CREDAT, control.CRETIM) == (
        "MESPORT",
        "MES_1000",
        "20261124",
        "071502",
    )
    assert idocs[0].line == 1 and idocs[1].line == 12


def test_rebuilds_the_segment_tree_from_psgnum_and_hlevel() -> None:
    idoc = next(read_flat((DATA / "loipro01.txt").open("rb")))

    (header,) = idoc.segments
    assert header.name == "E1AFKOL" and (header.segnum, header.psgnum, header.hlevel) == (1, 0, 2)
    assert [child.name for child in header.children] == ["E1JSTKL", "E1AFFLL"]
    operations = header.children[1].children
    assert [op.get("VORNR") for op in operations] == ["0010", "0020", "0030", "0040"]
    assert all(op.hlevel == 4 and op.psgnum == header.children[1].segnum for op in operations)
    assert [len(op.children) for op in operations] == [1, 0, 2, 0]
    assert [s.get("MATNR") for s in idoc.iter("E1RESBL")] == ["RM-CAST-88", "SEAL-12", "SCREW-M8X20"]
    assert idoc.first("E1AFVOL") is operations[0]


def test_fields_are_split_by_the_segment_layout() -> None:
    header = next(read_flat((DATA / "loipro01.txt").open("rb"))).segments[0]

    assert header.get("AUFNR") == "000001000123"
    assert header.get("GAMNG") == "120.000"
    assert header.get("KTEXT") == "Pump housing PH-200, machined"
    assert header.get("NOT_A_FIELD", "none") == "none"


def test_unknown_segments_keep_their_raw_data() -> None:
    idoc = next(read_flat((DATA / "loipro01.txt").open("rb")))
    status = idoc.first("E1JSTKL")

    assert status is not None and not status.known
    assert status.fields == {}
    assert status.sdata is not None and len(status.sdata) == 1000 and status.sdata.startswith("I0002REL")


def test_an_unmapped_idoc_type_reads_into_the_generic_tree() -> None:
    (idoc,) = read_flat((DATA / "matmas05.txt").open("rb"))

    assert idoc.control.IDOCTYP == "MATMAS05"
    assert [s.name for s in idoc.iter()] == ["E1MARAM", "E1MAKTM", "E1MARCM"]
    assert "FG-PUMP-200" in idoc.first("E1MARAM").sdata


@pytest.mark.parametrize("name", ["loipro01.txt", "wmmbxy.txt", "pptimeticket.txt", "matmas05.txt"])
def test_written_back_the_file_is_unchanged(name: str) -> None:
    original = (DATA / name).read_bytes()
    newline = "\r\n" if b"\r\n" in original else "\n"

    assert flat_bytes(read_flat(io.BytesIO(original)), newline=newline) == original


def test_data_outside_the_known_fields_survives_a_change() -> None:
    lines = records(DATA / "wmmbxy.txt")
    lines[1] = replace(lines[1], 63 + 900, "KEPT BEYOND THE LAYOUT")
    (idoc,) = read("\n".join(lines))

    idoc.segments[0].fields["BKTXT"] = "changed"
    idoc.segments[0].fields["TCODE"] = ""
    header = flat_bytes([idoc]).decode().splitlines()[1]
    assert header[63 + 900 : 63 + 922] == "KEPT BEYOND THE LAYOUT"
    (back,) = read(flat_bytes([idoc]).decode())
    assert back.segments[0].get("BKTXT") == "changed" and back.segments[0].get("XBLNR") == "WMS-GI-88231"
    assert back.segments[0].get("TCODE") == ""  # a field cleared in code is blank in the file, not the old value


def test_crlf_and_lf_files_read_alike() -> None:
    crlf = (DATA / "loipro01.txt").read_bytes()
    lf = crlf.replace(b"\r\n", b"\n")

    assert list(read_flat(io.BytesIO(crlf))) == list(read_flat(io.BytesIO(lf)))


def test_a_file_without_final_line_break_reads() -> None:
    data = (DATA / "wmmbxy.txt").read_bytes().rstrip(b"\n")

    (idoc,) = read_flat(io.BytesIO(data))
    assert len(list(idoc.iter("E1MBXYI"))) == 2


def test_hlevel_alone_places_segments_when_psgnum_is_blank() -> None:
    lines = records(DATA / "loipro01.txt")[:11]
    blanked = [lines[0]] + [replace(line, 55, "      ") for line in lines[1:]]

    (with_psgnum,) = read("\n".join(lines))
    (without,) = read("\n".join(blanked))
    assert without == with_psgnum
    assert [op.psgnum for op in without.iter("E1AFVOL")] == [without.first("E1AFFLL").segnum] * 4


def test_idocs_are_yielded_one_by_one_before_the_rest_is_read() -> None:
    lines = records(DATA / "loipro01.txt")
    broken = "\n".join([*lines[:11], lines[11], lines[12][:500]])

    idocs = read_flat(io.BytesIO(broken.encode()))
    first = next(idocs)
    assert first.docnum == "0000000000481516"
    with pytest.raises(DecodeFailed, match="line 13"):
        next(idocs)


def test_segment_built_in_code_is_written_with_fresh_numbers() -> None:
    idoc = Idoc(
        ControlRecord(DOCNUM="0000000000000042", IDOCTYP="WMMBID02", MESTYP="WMMBXY"),
        [Segment("E1MBXYH", {"XBLNR": "D-1"}, [Segment("E1MBXYI", {"MATNR": "M-1", "BWART": "261"})])],
    )

    written = flat_bytes([idoc]).decode().splitlines()
    assert [len(line) for line in written] == [524, 1063, 1063]
    assert written[1][:30].rstrip() == "E1MBXYH" and written[1][33:63] == "0000000000000042000001000000" + "02"
    assert written[2][49:63] == "000002000001" + "03"
    (back,) = read("\n".join(written))
    assert back == idoc


def test_a_value_longer_than_its_field_is_refused() -> None:
    idoc = Idoc(ControlRecord(DOCNUM="1", IDOCTYP="WMMBID02"), [Segment("E1MBXYH", {"XBLNR": "X" * 17})])

    with pytest.raises(IdocEncodeError, match="E1MBXYH-XBLNR holds 16 characters"):
        flat_bytes([idoc])


def test_a_segment_without_layout_cannot_be_written_from_fields() -> None:
    idoc = Idoc(ControlRecord(DOCNUM="1", IDOCTYP="ZTYPE01"), [Segment("Z1UNKNOWN", {"A": "1"})])

    with pytest.raises(IdocEncodeError, match="Z1UNKNOWN has no known layout"):
        flat_bytes([idoc])


# --- malformed files: DecodeFailed with the line, IDoc and segment, and a reason to act on


def sample_lines() -> list[str]:
    return records(DATA / "wmmbxy.txt")


def test_a_truncated_data_record_is_refused_with_its_line() -> None:
    lines = sample_lines()
    lines[2] = lines[2][:700]

    with pytest.raises(DecodeFailed) as failure:
        read("\n".join(lines))
    assert failure.value.location == "line 3, IDoc 0000000000770001"
    assert "700 characters long" in failure.value.reason and "1063" in failure.value.reason


def test_a_control_record_of_the_wrong_length_is_refused() -> None:
    lines = sample_lines()
    lines[0] = lines[0] + "   "

    with pytest.raises(
        DecodeFailed, match=r"line 1: the EDI_DC40 control record is 527 characters long, it must be 524"
    ):
        read("\n".join(lines))


def test_an_old_release_control_record_is_refused() -> None:
    lines = sample_lines()
    lines[0] = "EDI_DC    " + lines[0][10:]

    with pytest.raises(DecodeFailed, match="only EDI_DC40"):
        read("\n".join(lines))


def test_a_control_record_without_idoc_type_is_refused() -> None:
    lines = sample_lines()
    lines[0] = replace(lines[0], 39, " " * 30)

    with pytest.raises(DecodeFailed, match="names no IDoc type"):
        read("\n".join(lines))


def test_an_orphan_segment_is_refused_naming_its_parent() -> None:
    lines = sample_lines()
    lines[2] = replace(lines[2], 55, "000009")

    with pytest.raises(DecodeFailed) as failure:
        read("\n".join(lines))
    assert failure.value.location == "line 3, IDoc 0000000000770001, segment E1MBXYI 000002"
    assert "parent segment 000009" in failure.value.reason


def test_a_segment_below_a_missing_level_is_refused() -> None:
    lines = sample_lines()
    lines[2] = replace(replace(lines[2], 55, "000000"), 61, "04")

    with pytest.raises(DecodeFailed, match="HLEVEL 04 needs a segment at HLEVEL 03"):
        read("\n".join(lines))


def test_a_level_that_does_not_fit_its_parent_is_refused() -> None:
    lines = sample_lines()
    lines[2] = replace(lines[2], 61, "05")

    with pytest.raises(DecodeFailed, match="HLEVEL 05 does not fit below parent segment E1MBXYH"):
        read("\n".join(lines))


def test_nesting_deeper_than_two_digit_levels_is_refused() -> None:
    control = sample_lines()[0]
    chain = [f"{'Z1DEEP':<30}100{'0000000000770001':<16}{n:06d}{n - 1:06d}  ".ljust(1063) for n in range(1, 120)]

    with pytest.raises(DecodeFailed, match="segments nest deeper than HLEVEL 99"):
        read("\n".join([control, *chain]))
    deep = Segment("E1AFFLL", {})
    for _ in range(100):
        deep = Segment("E1AFFLL", {}, [deep])
    with pytest.raises(IdocEncodeError, match="nests deeper than HLEVEL 99"):
        flat_bytes([Idoc(ControlRecord(DOCNUM="1", IDOCTYP="ZDEEP01"), [deep])])


def test_segment_numbers_must_be_numbers_and_increase() -> None:
    lines = sample_lines()
    not_a_number = [*lines[:2], replace(lines[2], 49, "00A002"), *lines[3:]]
    repeated = [*lines[:2], replace(lines[2], 49, "000001"), *lines[3:]]

    with pytest.raises(DecodeFailed, match="SEGNUM '00A002' is not a number"):
        read("\n".join(not_a_number))
    with pytest.raises(DecodeFailed, match="SEGNUM 000001 does not follow SEGNUM 000001"):
        read("\n".join(repeated))


def test_data_records_of_another_idoc_are_refused() -> None:
    lines = sample_lines()
    lines[3] = replace(lines[3], 33, "0000000000770999")

    with pytest.raises(DecodeFailed, match="belongs to IDoc 0000000000770999 but follows the control record"):
        read("\n".join(lines))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "holds no EDI_DC40 control record"),
        (b"\n\n", "holds no EDI_DC40 control record"),
        (b"ORDER;4711;PP01\nLINE;1;FG-4711\n", "line 1: not an IDoc flat file"),
        (b"<?xml version='1.0'?><LOIPRO01/>", "must start with an EDI_DC40 control record"),
        (b"PK\x03\x04\x14\x00\x00\x00\x08\x00\xff\xfe\x80", "line 1: byte 10 is not valid utf-8"),
    ],
)
def test_a_file_that_is_not_an_idoc_is_refused(content: bytes, message: str) -> None:
    with pytest.raises(DecodeFailed, match=message):
        list(read_flat(io.BytesIO(content)))


def test_a_text_stream_is_a_programming_error() -> None:
    with pytest.raises(TypeError, match="binary stream"):
        list(read_flat(io.StringIO("EDI_DC40")))  # type: ignore[arg-type]


# --- layouts from the partner system's own segment definitions (WE63 parser format)

WE63_E1MBXYH = """BEGIN_SEGMENT_SECTION
BEGIN_IDOC WMMBID02
BEGIN_SEGMENT E1MBXYH
SEGMENTTYPE         E1MBXYH
LEVEL               02
BEGIN_FIELDS
NAME                BLDAT
TEXT                Document Date in Document
TYPE                CHARACTER
LENGTH              000008
FIELD_POS           0001
CHARACTER_FIRST     000064
CHARACTER_LAST      000071
NAME                BUDAT
TEXT                Posting Date in the Document
TYPE                CHARACTER
LENGTH              000008
FIELD_POS           0002
CHARACTER_FIRST     000072
CHARACTER_LAST      000079
NAME                XBLNR
TEXT                Reference Document Number
TYPE                CHARACTER
LENGTH              000016
FIELD_POS           0004
CHARACTER_FIRST     000092
CHARACTER_LAST      000107
END_FIELDS
END_SEGMENT
END_IDOC
END_SEGMENT_SECTION
"""


def test_layouts_from_a_we63_description_place_fields_where_sap_has_them() -> None:
    (layout,) = parser_layouts(WE63_E1MBXYH)

    assert layout.name == "E1MBXYH" and layout.size == 1000
    assert [(f.name, f.offset, f.length) for f in layout.fields] == [
        ("BLDAT", 0, 8),
        ("BUDAT", 8, 8),
        ("XBLNR", 28, 16),
    ]
    catalog = BUILTIN_SEGMENTS.with_layouts([layout])
    idoc = Idoc(ControlRecord(DOCNUM="5", IDOCTYP="WMMBID02"), [Segment("E1MBXYH", {"XBLNR": "DOC-1"})])
    record = flat_bytes([idoc], segments=catalog).decode().splitlines()[1]
    assert record[63 + 28 : 63 + 33] == "DOC-1"
    (back,) = read_flat(io.BytesIO(flat_bytes([idoc], segments=catalog)), segments=catalog)
    assert back.segments[0].get("XBLNR") == "DOC-1"


def test_an_unreadable_we63_description_names_the_line() -> None:
    broken = WE63_E1MBXYH.replace("LENGTH              000016", "LENGTH              sixteen")

    with pytest.raises(ValueError, match=r"line 2\d: field E1MBXYH-XBLNR has no readable LENGTH"):
        parser_layouts(broken)
    with pytest.raises(ValueError, match="not closed"):
        parser_layouts(WE63_E1MBXYH.split("END_SEGMENT\n")[0])
