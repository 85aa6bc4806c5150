"""The ISA segment: fixed layout, separators it declares, values, and writing it back."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.test_x12_fixtures import sample
from transformers.x12 import GenerationError, InterchangeError, Separators, codes, parse_isa
from transformers.x12.isa import ISA_LENGTH, ISA_WIDTHS, format_isa


def isa_of(name: str) -> str:
    return sample(name).decode()[:200]


def test_the_separators_come_from_the_isa_itself():
    star = parse_isa(isa_of("asn_856.x12"))
    assert star.separators == Separators("*", ">", "~", None)
    pipe = parse_isa(isa_of("po_850_pipes.x12"))
    assert pipe.separators == Separators("|", ":", "\n", "^")  # 00501: ISA11 is the repetition separator
    assert (pipe.version, pipe.standards_id) == ("00501", "^")


def test_values_are_read_without_their_padding():
    header = parse_isa(isa_of("asn_856.x12"))
    assert header.sender == ("ZZ", "ACMESUPPLY")
    assert header.receiver == ("ZZ", "PLANT1000")
    assert (header.date, header.time, header.control_number) == ("240301", "1432", "000004711")
    assert (header.version, header.ack_requested, header.usage) == ("00401", "0", "P")


def test_an_isa_one_character_short_names_the_field_and_still_reads_the_header():
    text = isa_of("asn_856.x12")
    short = text.replace("ACMESUPPLY     ", "ACMESUPPLY    ", 1)
    with pytest.raises(InterchangeError) as caught:
        parse_isa(short)
    assert caught.value.note_code == codes.TA1_INVALID_SENDER_ID
    assert "ISA06 is 14 characters, it must be exactly 15" in caught.value.reason
    assert caught.value.header is not None
    assert caught.value.header.sender_id == "ACMESUPPLY"
    assert caught.value.header.control_number == "000004711"


def test_a_file_ending_inside_the_isa_is_a_premature_end():
    with pytest.raises(InterchangeError) as caught:
        parse_isa(isa_of("asn_856.x12")[:80])
    assert caught.value.note_code == codes.TA1_PREMATURE_END


@pytest.mark.parametrize(
    ("field", "value", "note"),
    [
        (9, "240231", codes.TA1_INVALID_DATE),
        (10, "2460", codes.TA1_INVALID_TIME),
        (13, "00000471X", codes.TA1_INVALID_CONTROL_NUMBER),
        (14, "2", codes.TA1_INVALID_ACK_REQUESTED),
        (15, "X", codes.TA1_INVALID_TEST_INDICATOR),
        (6, "ACME>SUPPLY    ", codes.TA1_INVALID_SENDER_ID),
    ],
)
def test_bad_values_get_the_ta1_note_code_of_their_field(field: int, value: str, note: str):
    text = isa_of("asn_856.x12")
    fields = text[4:105].split("*")
    assert len(fields[field - 1]) == len(value)
    fields[field - 1] = value
    with pytest.raises(InterchangeError) as caught:
        parse_isa("ISA*" + "*".join(fields) + text[105:])
    assert caught.value.note_code == note
    assert f"ISA{field:02d}" in caught.value.reason
    assert caught.value.header is not None  # the layout was right: the header is there for the TA1


def test_a_letter_cannot_be_the_element_separator():
    text = isa_of("asn_856.x12").replace("*", "A")
    with pytest.raises(InterchangeError) as caught:
        parse_isa(text)
    assert caught.value.note_code == codes.TA1_INVALID_ELEMENT_SEPARATOR


def test_a_segment_terminator_equal_to_the_element_separator_is_refused():
    text = isa_of("asn_856.x12")
    with pytest.raises(InterchangeError) as caught:
        parse_isa(text[:105] + "*" + text[106:])
    assert caught.value.note_code == codes.TA1_INVALID_SEGMENT_TERMINATOR


@pytest.mark.parametrize("version", ["00401", "00501"])
def test_format_isa_writes_106_characters_that_read_back(version: str):
    separators = Separators("^", "\\", "'", "|" if version == "00501" else None)
    text = format_isa(
        sender_qualifier="01",
        sender_id="123456789",
        receiver_qualifier="ZZ",
        receiver_id="PLANT1000",
        when=datetime(2024, 12, 31, 23, 59),
        version=version,
        control_number=42,
        ack_requested=True,
        usage="T",
        separators=separators,
    )
    assert len(text) == ISA_LENGTH == 3 + len(ISA_WIDTHS) + sum(ISA_WIDTHS) + 1
    header = parse_isa(text)
    assert header.separators == separators
    assert (header.sender, header.receiver) == (("01", "123456789"), ("ZZ", "PLANT1000"))
    assert (header.date, header.time, header.control_number) == ("241231", "2359", "000000042")
    assert (header.ack_requested, header.usage, header.version) == ("1", "T", version)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"sender_id": "A" * 16}, "ISA06"),
        ({"receiver_id": "PLANT*1000"}, "separator"),
        ({"control_number": 1_000_000_000}, "outside"),
        ({"version": "4010"}, "5 digits"),
    ],
)
def test_format_isa_refuses_what_cannot_be_written(changes: dict[str, object], message: str):
    arguments: dict[str, object] = {
        "sender_qualifier": "ZZ",
        "sender_id": "ACMESUPPLY",
        "receiver_qualifier": "ZZ",
        "receiver_id": "PLANT1000",
        "when": datetime(2024, 3, 1),
        "version": "00401",
        "control_number": 1,
        "ack_requested": False,
        "usage": "P",
        "separators": Separators(),
    }
    with pytest.raises(GenerationError, match=message):
        format_isa(**{**arguments, **changes})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "separators",
    [("*", "*", "~"), ("A", ">", "~"), ("*", ">", " "), ("*", " ", "~"), ("**", ">", "~")],
)
def test_separators_must_be_distinct_single_non_data_characters(separators: tuple[str, str, str]):
    with pytest.raises(GenerationError):
        Separators(*separators)


def test_a_repetition_separator_is_added_only_where_the_version_needs_one():
    plain = Separators()
    assert plain.for_version("00401") is plain
    chosen = plain.for_version("00501").repetition
    assert chosen is not None and chosen not in plain.all
