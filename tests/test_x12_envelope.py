"""Tokenizing and envelope checks: separators, line breaks, chunking, control numbers, counts and trailers."""

from __future__ import annotations

import io
import re

import pytest

from tests.test_x12_fixtures import (
    asn_interchange,
    find,
    notice,
    read,
    replace_segment,
    sample,
    split,
)
from transformers.x12 import InterchangeError, Separators, X12Reading, codes
from transformers.x12.control import ControlNumbers
from transformers.x12.reader import SegmentReader

SEPARATORS = [
    Separators("*", ">", "~"),
    Separators("|", ":", "\n"),
    Separators("^", "\\", "'", "!"),
    Separators("\x1d", "\x1f", "\x1c"),
]


def segments_read(data: bytes, chunk_size: int = 1 << 16) -> list[list[str]]:
    return list(SegmentReader(io.BytesIO(data), chunk_size=chunk_size))


@pytest.mark.parametrize("separators", SEPARATORS, ids=["star", "pipe-newline", "caret-quote", "control-chars"])
def test_every_separator_set_reads_to_the_same_segments(separators: Separators):
    version = "00501" if separators.repetition else "00401"
    reference = asn_interchange(notice())
    data = asn_interchange(notice(), separators=separators, version=version)
    assert data[3:4].decode() == separators.element and data[105:106].decode() == separators.segment
    read_back = segments_read(data)
    expected = split(reference)
    assert [s[0] for s in read_back] == [s[0] for s in expected]
    assert read_back[1:] == expected[1:]  # the ISA differs in its separators only
    outcomes, messages = read(data)
    assert outcomes[0].accepted and [m.payload for m in messages] == [notice()]


@pytest.mark.parametrize("newline", ["\r\n", "\n", "\r"])
def test_line_breaks_between_segments_are_skipped(newline: str):
    data = asn_interchange(notice(), newline=newline)
    assert newline.encode() + b"GS*" in data
    assert segments_read(data) == split(asn_interchange(notice()))
    outcomes, messages = read(data)
    assert outcomes[0].accepted and messages[0].payload == notice()


@pytest.mark.parametrize("chunk_size", [1, 7, 105, 106, 107, 4096])
def test_chunk_boundaries_do_not_change_what_is_read(chunk_size: int):
    data = sample("asn_856.x12") + b"\r\n" + asn_interchange(notice(), newline="\n")
    assert segments_read(data, chunk_size) == segments_read(data)
    outcomes, messages = read(data, chunk_size=chunk_size)
    assert [o.accepted for o in outcomes] == [True, True]
    assert len(messages) == 2


def test_interchanges_with_different_separators_follow_each_other():
    data = sample("asn_856.x12") + sample("po_850_pipes.x12") + sample("fa_997.x12")
    outcomes, messages = read(data)
    assert [o.header.control_number for o in outcomes if o.header] == ["000004711", "000001201", "000000088"]
    assert all(o.accepted for o in outcomes)
    assert [m.reference for m in messages] == ["ISA 000004711/GS 4711/ST 0001", "ISA 000001201/GS 1201/ST 0001"]


def test_a_stream_is_read_in_chunks_never_whole():
    class Chunked(io.BytesIO):
        def read(self, size: int | None = -1) -> bytes:
            assert size is not None and 0 < size <= 512, "the reader asked for more than one chunk"
            return super().read(size)

    reading = X12Reading(Chunked(asn_interchange(*(notice(f"ASN-{n}") for n in range(50)))), chunk_size=512)
    assert reading.check()[0].accepted
    assert len(list(reading.messages())) == 50


# -- interchange level --------------------------------------------------------------------------------------------


def only(data: bytes):
    outcomes, messages = read(data)
    assert len(outcomes) == 1
    return outcomes[0], messages


def test_isa13_differing_from_iea02_rejects_the_interchange():
    data = asn_interchange(notice())
    iea = len(split(data)) - 1
    outcome, messages = only(replace_segment(data, iea, ["IEA", "1", "000004712"]))
    assert not outcome.accepted and messages == []
    assert outcome.errors[0].note_code == codes.TA1_CONTROL_NUMBER_MISMATCH
    assert outcome.reasons == [
        f"segment {iea + 1}: IEA02 '000004712' differs from ISA13 '000004711' [TA1 {codes.TA1_CONTROL_NUMBER_MISMATCH}]"
    ]


def test_iea01_must_count_the_groups():
    data = asn_interchange(notice())
    outcome, messages = only(replace_segment(data, len(split(data)) - 1, ["IEA", "2", "000004711"]))
    assert not outcome.accepted and messages == []
    assert outcome.errors[0].note_code == codes.TA1_INVALID_GROUP_COUNT
    assert "IEA01 says '2' functional groups, counted 1" in outcome.reasons[0]


def test_a_truncated_final_segment_rejects_the_interchange():
    data = asn_interchange(notice())
    outcome, messages = only(data[:-1])  # the IEA loses its terminator
    assert not outcome.accepted and messages == []
    assert outcome.header is not None and outcome.header.control_number == "000004711"
    assert outcome.errors[0].note_code == codes.TA1_PREMATURE_END
    assert "has no terminator" in outcome.reasons[0]


def test_a_file_ending_before_the_iea_rejects_the_interchange():
    data = asn_interchange(notice())
    outcome, _ = only(data[: data.index(b"GE*")])
    assert not outcome.accepted
    assert outcome.errors[0].note_code == codes.TA1_PREMATURE_END
    assert "GE and IEA missing" in outcome.reasons[0]


def test_a_bad_isa_length_is_reported_with_the_header_read_as_far_as_possible():
    data = asn_interchange(notice()).replace(b"ACMESUPPLY     ", b"ACMESUPPLY      ", 1)
    outcome, messages = only(data)
    assert not outcome.accepted and messages == []
    assert outcome.errors[0].note_code == codes.TA1_INVALID_SENDER_ID
    assert outcome.header is not None and outcome.header.sender_id == "ACMESUPPLY"
    assert "ISA06 is 16 characters, it must be exactly 15" in outcome.reasons[0]


@pytest.mark.parametrize("data", [b"", b"  \r\n", b"GS*SH*A*B~", b"ISA*00*"])
def test_input_that_is_not_an_interchange_is_one_rejected_outcome(data: bytes):
    outcome, messages = only(data)
    assert not outcome.accepted and messages == [] and outcome.reasons


def test_an_isa_before_the_iea_ends_the_interchange_before_it():
    first = asn_interchange(notice("ASN-1"), control_number=1)
    second = asn_interchange(notice("ASN-2"), control_number=2)
    outcomes, messages = read(first[: first.index(b"IEA*")] + second)
    assert [o.accepted for o in outcomes] == [False, True]
    assert outcomes[0].errors[0].note_code == codes.TA1_PREMATURE_END
    assert "IEA missing" in outcomes[0].reasons[0]
    assert [m.correlation_id for m in messages] == ["ASN-2"]


def test_a_segment_outside_any_transaction_set_rejects_the_interchange():
    data = asn_interchange(notice())
    segments = split(data)
    outcome, messages = only(replace_segment(data, find(segments, "ST"), ["REF", "ZZ", "stray"], segments[2]))
    assert not outcome.accepted and messages == []
    assert outcome.errors[0].note_code == codes.TA1_INVALID_CONTROL_STRUCTURE
    assert "'REF' segment outside a transaction set" in outcome.reasons[0]


@pytest.mark.parametrize("chunk_size", [64, 1 << 13])
def test_a_run_of_segments_outside_any_set_is_one_error_however_the_file_is_read(chunk_size: int):
    data = asn_interchange(notice())
    segments = split(data)
    ge = find(segments, "GE")
    stray = [["REF", "ZZ", f"stray-{n}"] for n in range(300)]  # longer than a batch of segments
    outcomes, _ = read(replace_segment(data, ge, *stray, segments[ge]), chunk_size=chunk_size)
    assert [r for r in outcomes[0].reasons if "outside" in r] == [
        f"segment {ge + 1}: 'REF' segment outside a transaction set [TA1 022]"
    ]


# -- group level ---------------------------------------------------------------------------------------------------


def two_groups() -> bytes:
    """One interchange with two SH groups (GS06 4711 and 4712) of one 856 each."""
    single = split(asn_interchange(notice("ASN-1")))
    body = single[1:-1]
    second = [list(s) for s in body]
    second[0][6] = second[-1][2] = "4712"
    second[2][2] = "ASN-2"  # BSN02
    return replace_segment(asn_interchange(notice("ASN-1")), len(single) - 1, *second, ["IEA", "2", "000004711"])


def test_two_groups_are_read_as_two():
    outcome, messages = only(two_groups())
    assert outcome.accepted and [g.header.control_number for g in outcome.groups] == ["4711", "4712"]
    assert [m.correlation_id for m in messages] == ["ASN-1", "ASN-2"]


@pytest.mark.parametrize(
    ("trailer", "code", "reason"),
    [
        (["GE", "2", "4711"], codes.GROUP_SET_COUNT_WRONG, "GE01 says '2' transaction sets, counted 1"),
        (["GE", "1", "4799"], codes.GROUP_CONTROL_NUMBER_MISMATCH, "GE02 '4799' differs from GS06 '4711'"),
    ],
)
def test_a_bad_group_trailer_rejects_that_group_only(trailer: list[str], code: str, reason: str):
    data = two_groups()
    outcome, messages = only(replace_segment(data, find(split(data), "GE"), trailer))
    assert outcome.accepted  # the interchange is fine; the group is not
    first, second = outcome.groups
    assert not first.accepted and second.accepted
    assert [e.code for e in first.errors] == [code]
    ge_position = find(split(data), "GE") + 1
    assert outcome.reasons == [f"GS 4711 at segment {ge_position}: {reason}; the group is rejected [AK9 {code}]"]
    assert [m.correlation_id for m in messages] == ["ASN-2"]
    ack = first.acknowledgement()
    assert (ack.code, ack.accepted, ack.error_codes) == (codes.REJECTED, 0, (code,))


def test_a_missing_ge_is_a_group_error():
    data = two_groups()
    outcome, messages = only(replace_segment(data, find(split(data), "GE")))
    first = outcome.groups[0]
    assert [e.code for e in first.errors] == [codes.GROUP_TRAILER_MISSING]
    assert "GE missing: GS follows" in outcome.reasons[0]
    assert [m.correlation_id for m in messages] == ["ASN-2"]


# -- transaction set level ---------------------------------------------------------------------------------------


def three_sets() -> bytes:
    return asn_interchange(notice("ASN-1"), notice("ASN-2"), notice("ASN-3"))


def second_set_trailer(data: bytes) -> int:
    segments = split(data)
    return find(segments, "SE", find(segments, "SE") + 1)


@pytest.mark.parametrize(
    ("edit", "code", "reason"),
    [
        (
            lambda se: ["SE", str(int(se[1]) + 1), se[2]],
            codes.SET_SEGMENT_COUNT_WRONG,
            "SE01 says {n1} segments, counted {n}",
        ),
        (lambda se: ["SE", se[1], "0009"], codes.SET_CONTROL_NUMBER_MISMATCH, "SE02 '0009' differs from ST02 '0002'"),
        (lambda se: None, codes.SET_TRAILER_MISSING, "SE missing"),
    ],
    ids=["SE01", "SE02", "no SE"],
)
def test_a_bad_set_trailer_rejects_that_set_only(edit, code: str, reason: str):
    data = three_sets()
    at = second_set_trailer(data)
    se = split(data)[at]
    replacement = edit(se)
    outcome, messages = only(replace_segment(data, at, *([replacement] if replacement else [])))
    assert outcome.accepted
    group = outcome.groups[0]
    assert [s.code for s in group.sets()] == ["A", "R", "A"]
    assert group.code == codes.PARTIALLY_ACCEPTED
    rejected = list(group.sets())[1]
    assert rejected.control_number == "0002" and [e.code for e in rejected.errors] == [code]
    expected = reason.format(n1=int(se[1]) + 1, n=int(se[1]))
    assert len(outcome.reasons) == 1 and expected in outcome.reasons[0]
    assert outcome.reasons[0].startswith("GS 4711 ST 0002 at segment ")
    assert [m.correlation_id for m in messages] == ["ASN-1", "ASN-3"]


def test_reasons_name_the_segment_position_in_the_interchange():
    data = three_sets()
    at = second_set_trailer(data)
    se = split(data)[at]
    outcome, _ = only(replace_segment(data, at, ["SE", "12", se[2]]))
    match = re.fullmatch(
        r"GS 4711 ST 0002 at segment (\d+): SE01 says 12 segments, counted (\d+) \[AK5 4\]", outcome.reasons[0]
    )
    assert match is not None
    assert int(match[1]) == at + 1  # ISA is segment 1
    assert int(match[2]) == int(se[1])


def test_an_unsupported_transaction_set_is_rejected_and_the_rest_accepted():
    data = three_sets()
    segments = split(data)
    st = find(segments, "ST", find(segments, "SE"))
    outcome, messages = only(replace_segment(data, st, ["ST", "810", "0002"]))
    group = outcome.groups[0]
    assert [(s.set_id, s.code) for s in group.sets()] == [("856", "A"), ("810", "R"), ("856", "A")]
    assert [e.code for e in list(group.sets())[1].errors] == [codes.SET_NOT_SUPPORTED]
    assert "transaction set 810 is not supported" in outcome.reasons[0]
    assert group.code == codes.PARTIALLY_ACCEPTED and len(messages) == 2


def test_a_malformed_segment_id_is_reported_with_its_position_in_the_set():
    data = three_sets()
    segments = split(data)
    bsn = find(segments, "BSN")
    after = segments[bsn + 1]
    outcome, messages = only(replace_segment(data, bsn + 1, ["h!", "x"], after))
    rejected = next(s for s in outcome.groups[0].sets() if s.code == "R")
    note = rejected.errors[0].segment_errors[0]
    assert (note.segment_id, note.position, note.code) == ("h!", 3, codes.SEGMENT_UNRECOGNIZED)
    assert len(messages) == 2


def test_a_control_number_used_twice_in_a_group_rejects_the_second_set():
    data = three_sets()
    segments = split(data)
    second_st = find(segments, "ST", find(segments, "SE"))
    data = replace_segment(data, second_st, ["ST", "856", "0001"])
    data = replace_segment(data, second_set_trailer(data), ["SE", split(data)[second_set_trailer(data)][1], "0001"])
    outcome, messages = only(data)
    codes_found = [(s.control_number, s.code) for s in outcome.groups[0].sets()]
    assert codes_found == [("0001", "A"), ("0001", "R"), ("0003", "A")]
    assert "ST02 0001 is used twice in the group" in outcome.reasons[0]
    assert len(messages) == 2


@pytest.mark.parametrize("chunk_size", [64, 1 << 13])
def test_a_set_longer_than_the_limit_is_rejected_without_being_held(chunk_size: int):
    data = three_sets()
    outcomes, messages = read(data, max_set_segments=10, chunk_size=chunk_size)
    group = outcomes[0].groups[0]
    assert [s.code for s in group.sets()] == ["R", "R", "R"]
    first = find(split(data), "ST") + 1  # the ST's ordinal; the 11th segment from it is the first not kept
    assert outcomes[0].reasons[0].startswith(f"GS 4711 ST 0001 at segment {first + 10}: has more than 10 segments")
    assert messages == []


def test_the_envelope_raises_only_what_ends_the_stream():
    data = asn_interchange(notice())
    with pytest.raises(InterchangeError) as caught:
        segments_read(data[:-1])
    assert caught.value.note_code == codes.TA1_PREMATURE_END


def test_control_numbers_seen_are_told_apart_as_written_whatever_their_order():
    seen = ControlNumbers()
    numbers = ["0003", "0001", "0002", "0007", "0005", "0006", "0004", "003", "A17"]
    assert all(seen.add(number) for number in numbers)
    assert not any(seen.add(number) for number in numbers)
    assert seen.add("0008") and seen.add("0000") and seen.add("A18")
