"""Acknowledgements: the 997 and TA1 we answer with, and the 997/TA1 a partner sends us."""

from __future__ import annotations

import io
from datetime import datetime

import pytest

from tests.test_x12_fixtures import PLANT, SUPPLIER, asn_interchange, find, notice, read, replace_segment, sample, split
from transformers.x12 import (
    FunctionalAcknowledgement,
    InterchangeHeader,
    OutboundGroup,
    SetAcknowledgement,
    X12Reading,
    build_interchange,
    codes,
    set_997,
)
from transformers.x12.errors import ElementError, SegmentError

REPLY_AT = datetime(2024, 3, 1, 15, 0)


def reply(data: bytes, **options: object) -> list[list[str]]:
    outcomes, _ = read(data, **options)
    answer = outcomes[0].acknowledgements(control_number=9001, when=REPLY_AT)
    assert answer is not None
    return split(answer)


def partially_failing() -> bytes:
    """Three 856s, the second with an unreadable quantity (segment 14 of its set)."""
    data = asn_interchange(notice("ASN-1"), notice("ASN-2"), notice("ASN-3"))
    segments = split(data)
    second = find(segments, "ST", find(segments, "SE"))
    return replace_segment(data, find(segments, "SN1", second), ["SN1", "", "12,5", "EA"])


def test_the_997_answers_every_set_and_pinpoints_the_failing_element():
    inbound = split(partially_failing())
    isa, gs = inbound[0], inbound[1]
    second = find(inbound, "ST", find(inbound, "SE"))
    sn1_position = find(inbound, "SN1", second) - second + 1
    segments = reply(partially_failing())
    tags = [s[0] for s in segments]
    assert tags == [
        "ISA",
        "GS",
        "ST",
        "AK1",
        "AK2",
        "AK5",
        "AK2",
        "AK3",
        "AK4",
        "AK5",
        "AK2",
        "AK5",
        "AK9",
        "SE",
        "GE",
        "IEA",
    ]
    ack_isa, ack_gs = segments[0], segments[1]
    assert (ack_isa[5], ack_isa[6], ack_isa[7], ack_isa[8]) == (isa[7], isa[8], isa[5], isa[6])  # ids swapped
    assert (ack_isa[12], ack_isa[13], ack_isa[14]) == (isa[12], "000009001", "0")
    assert ack_gs[1] == "FA" and (ack_gs[2], ack_gs[3]) == (gs[3], gs[2])  # GS02/GS03 swapped
    assert (ack_gs[4], ack_gs[5], ack_gs[6]) == ("20240301", "1500", "9001")
    assert ack_gs[8] == gs[8]  # the inbound GS08 version
    assert segments[3] == ["AK1", gs[1], gs[6]]  # GS01 and GS06 echoed
    assert segments[4:6] == [["AK2", "856", "0001"], ["AK5", "A"]]
    assert segments[6] == ["AK2", "856", "0002"]
    assert segments[7] == ["AK3", "SN1", str(sn1_position), "", codes.SEGMENT_HAS_ELEMENT_ERRORS]
    assert segments[8] == ["AK4", "2", "382", codes.ELEMENT_INVALID_CHARACTER, "12,5"]
    assert segments[9] == ["AK5", "R", codes.SET_SEGMENTS_IN_ERROR]
    assert segments[10:12] == [["AK2", "856", "0003"], ["AK5", "A"]]
    assert segments[12] == ["AK9", codes.PARTIALLY_ACCEPTED, "3", "3", "2"]
    assert segments[13] == ["SE", str(find(segments, "SE") - find(segments, "ST") + 1), "0001"]
    assert segments[14] == ["GE", "1", "9001"] and segments[15] == ["IEA", "1", "000009001"]


def test_the_reply_uses_the_inbound_separators_and_version():
    inbound = sample("po_850_pipes.x12")
    outcomes, _ = read(inbound)
    answer = outcomes[0].acknowledgements(control_number=77, when=REPLY_AT, group_control_number=500)
    assert answer is not None
    assert answer[3:4] == b"|" and answer[104:106] == b":\n"
    segments = split(answer)
    assert segments[0][11:13] == ["^", "00501"]  # ISA11 repetition separator, ISA12 version
    assert segments[1] == ["TA1", "000001201", "240215", "0905", "A", "000"]  # ISA14 was 1
    assert segments[2][6] == "500" and segments[2][8] == "005010"
    assert segments[4] == ["AK1", "PO", "1201", "005010"]  # AK103 exists from 005010 on


def test_a_ta1_is_only_sent_when_asked_for_or_when_rejecting():
    outcomes, _ = read(asn_interchange(notice()))
    assert outcomes[0].interchange_acknowledgement() is None
    outcomes, _ = read(asn_interchange(notice(), ack_requested=True))
    ta1 = outcomes[0].interchange_acknowledgement()
    assert ta1 is not None and (ta1.control_number, ta1.code, ta1.note_code) == ("000004711", "A", "000")
    assert (ta1.date, ta1.time) == ("240301", "1430")  # ISA09/ISA10 of the acknowledged interchange


def test_a_rejected_interchange_gets_a_ta1_and_no_997():
    data = asn_interchange(notice())
    segments = reply(replace_segment(data, len(split(data)) - 1, ["IEA", "1", "000000001"]))
    assert [s[0] for s in segments] == ["ISA", "TA1", "IEA"]
    assert segments[1] == ["TA1", "000004711", "240301", "1430", "R", codes.TA1_CONTROL_NUMBER_MISMATCH]
    assert segments[2] == ["IEA", "0", "000009001"]


def test_a_duplicate_interchange_is_rejected_whole_with_ta1_025():
    seen: list[InterchangeHeader] = []

    def is_duplicate(header: InterchangeHeader) -> bool:
        seen.append(header)
        return header.control_number == "000004711"

    data = asn_interchange(notice("ASN-1")) + asn_interchange(notice("ASN-2"), control_number=4712)
    reading = X12Reading(io.BytesIO(data), is_duplicate=is_duplicate)
    duplicate, _ = reading.check()
    assert [h.control_number for h in seen] == ["000004711", "000004712"]
    assert duplicate.duplicate and not duplicate.accepted and duplicate.groups == []
    assert "received before" in duplicate.reasons[0]
    assert [m.correlation_id for m in reading.messages()] == ["ASN-2"]
    assert len(seen) == 2  # asked once per interchange, not again in the second pass
    answer = duplicate.acknowledgements(control_number=1, when=REPLY_AT)
    assert answer is not None
    assert [s[0] for s in split(answer)] == ["ISA", "TA1", "IEA"]
    assert split(answer)[1][4:] == ["R", codes.TA1_DUPLICATE_CONTROL_NUMBER]


def test_a_broken_isa_still_gets_a_ta1_when_its_ids_can_be_read():
    data = asn_interchange(notice()).replace(b"*00401*", b"*0040A*", 1)
    segments = reply(data)
    assert segments[1] == ["TA1", "000004711", "240301", "1430", "R", codes.TA1_INVALID_VERSION_ID]


def test_nothing_can_answer_an_interchange_without_a_readable_isa():
    outcomes, _ = read(b"this is not X12 at all")
    assert outcomes[0].header is None
    assert outcomes[0].acknowledgements(control_number=1, when=REPLY_AT) is None


def test_a_partners_997_and_ta1_are_read_and_not_acknowledged():
    outcomes, messages = read(sample("fa_997.x12"))
    outcome = outcomes[0]
    assert outcome.accepted and messages == [] and outcome.messages == 0
    assert outcome.received_acks == [
        FunctionalAcknowledgement(
            functional_id="PO",
            control_number="1201",
            code=codes.PARTIALLY_ACCEPTED,
            included=2,
            received=2,
            accepted=1,
            sets=(
                SetAcknowledgement("850", "0001", "A"),
                SetAcknowledgement(
                    "850",
                    "0002",
                    "R",
                    ("5",),
                    (SegmentError("PO1", 12, "8", None, (ElementError(2, "4", None, "330", "0"),)),),
                ),
            ),
        )
    ]
    ta1 = outcome.received_interchange_acks[0]
    assert (ta1.control_number, ta1.accepted, ta1.note) == ("000001201", True, "No error")
    assert outcome.acknowledgements(control_number=5, when=REPLY_AT) is None  # a 997 is never acknowledged


@pytest.mark.parametrize(
    "ack",
    [
        FunctionalAcknowledgement("SH", "4711", "A", 2, 2, 2, (), (SetAcknowledgement("856", "0001", "A"),)),
        FunctionalAcknowledgement(
            "PO",
            "17",
            "R",
            3,
            2,
            0,
            ("5", "4"),
            (
                SetAcknowledgement(
                    "850",
                    "0002",
                    "R",
                    ("3", "5"),
                    (
                        SegmentError("PO1", 9, "8", "PO1", (ElementError(2, "6", 1, "330", "x"), ElementError(4, "7"))),
                        SegmentError("ZZZ", 11, "1"),
                    ),
                ),
            ),
            "005010",
        ),
    ],
)
def test_997_round_trips(ack: FunctionalAcknowledgement):
    group = OutboundGroup("FA", "PLANT1000", "ACMESUPPLY", 3, [set_997(ack)])
    data = build_interchange([group], sender=PLANT, receiver=SUPPLIER, control_number=3, when=REPLY_AT)
    outcomes, _ = read(data)
    assert outcomes[0].received_acks == [ack]
