"""Envelope checks: UNB/UNZ, UNG/UNE, UNH/UNT, truncation, stray data; each error at the level it belongs to."""

from __future__ import annotations

import io

import pytest

from tests.test_edifact_samples import BUYER, SUPPLIER, check, desadv_text, interchange, notice
from transformers.edifact import EdifactSyntaxError, SyntaxErrorCode
from transformers.edifact.desadv import DESADV
from transformers.edifact.writer import InterchangeWriter


def published(data: bytes) -> list[str]:
    reading, _ = check(data)
    return [decoded.reference for decoded in reading.messages()]


def test_valid_interchange_publishes_every_message() -> None:
    data = interchange(desadv_text("1", "A1"), desadv_text("2", "A2"))
    _, (outcome,) = check(data)

    assert (outcome.accepted, outcome.reasons, outcome.message_count, outcome.published_count) == (True, [], 2, 2)
    assert published(data) == ["UNB REF1/UNH 1", "UNB REF1/UNH 2"]


def test_unz_count_wrong_rejects_the_interchange() -> None:
    data = interchange(desadv_text("1"), desadv_text("2"), count=3)
    _, (outcome,) = check(data)

    assert not outcome.accepted and outcome.error is not None
    assert (outcome.error.code, outcome.error.segment_tag, outcome.error.element) == (
        SyntaxErrorCode.CONTROL_COUNT_MISMATCH,
        "UNZ",
        1,
    )
    assert "UNZ counts 3 messages, the interchange holds 2" in outcome.reasons[0]
    assert published(data) == []


def test_unz_reference_must_match_unb() -> None:
    _, (outcome,) = check(interchange(desadv_text("1"), trailer="OTHER"))
    assert outcome.error is not None and outcome.error.code == SyntaxErrorCode.REFERENCES_DO_NOT_MATCH
    assert "'OTHER' does not match UNB reference 'REF1'" in outcome.reasons[0]


def test_unt_count_wrong_rejects_only_that_message() -> None:
    data = interchange(desadv_text("1", "A1"), desadv_text("2", "A2", count=7), desadv_text("3", "A3"))
    _, (outcome,) = check(data)

    assert outcome.accepted
    (rejected,) = outcome.rejected_messages
    (error,) = rejected.errors
    assert (rejected.index, rejected.reference) == (2, "2")
    assert (error.code, error.segment_tag, error.segment_position, error.element) == (
        SyntaxErrorCode.CONTROL_COUNT_MISMATCH,
        "UNT",
        9,
        1,
    )
    assert outcome.reasons == [f"message 2 (UNH '2', DESADV:D:96A:UN, document 'A2'): {error}"]
    assert published(data) == ["UNB REF1/UNH 1", "UNB REF1/UNH 3"]


def test_unh_and_unt_references_must_match() -> None:
    _, (outcome,) = check(interchange(desadv_text("1", trailer="9")))
    (error,) = outcome.rejected_messages[0].errors
    assert (error.code, error.segment_tag, error.element) == (SyntaxErrorCode.REFERENCES_DO_NOT_MATCH, "UNT", 2)


def test_message_reference_used_twice() -> None:
    _, (outcome,) = check(interchange(desadv_text("1", "A1"), desadv_text("1", "A2")))
    (rejected,) = outcome.rejected_messages
    assert rejected.index == 2 and rejected.errors[0].code == SyntaxErrorCode.DUPLICATE


def test_missing_unt_before_the_next_message() -> None:
    first = desadv_text("1").rsplit("UNT", 1)[0]
    _, (outcome,) = check(interchange(first, desadv_text("2")))

    (rejected,) = outcome.rejected_messages
    assert rejected.reference == "1" and rejected.errors[0].code == SyntaxErrorCode.MISSING
    assert "has no UNT before UNH" in outcome.reasons[0]
    assert outcome.published_count == 1


@pytest.mark.parametrize("cut", [60, 120, 200])
def test_truncated_interchange_is_rejected(cut: int) -> None:
    data = interchange(desadv_text("1"), desadv_text("2"))[:cut]
    reading, (outcome,) = check(data)

    assert not outcome.accepted and outcome.error is not None
    assert (outcome.error.code, outcome.error.segment_tag) == (SyntaxErrorCode.MISSING, "UNZ")
    assert "truncated" in outcome.reasons[0] and "has no segment terminator" in outcome.reasons[0]
    assert list(reading.messages()) == []


def test_truncated_at_a_segment_boundary() -> None:
    data = interchange(desadv_text("1")).rsplit(b"UNZ", 1)[0]
    _, (outcome,) = check(data)
    assert outcome.error is not None and "ends without UNZ" in str(outcome.error)


def test_interchange_without_messages() -> None:
    _, (outcome,) = check(interchange())
    assert outcome.error is not None and outcome.error.code == SyntaxErrorCode.LOWER_LEVEL_EMPTY


def test_segment_between_messages_rejects_the_interchange() -> None:
    _, (outcome,) = check(interchange(desadv_text("1"), "FTX+AAI+++stray'", desadv_text("2")))
    assert outcome.error is not None
    assert (outcome.error.code, outcome.error.segment_tag) == (
        SyntaxErrorCode.INVALID_OCCURRENCE_OUTSIDE_MESSAGE,
        "FTX",
    )


def test_invalid_character_rejects_its_message() -> None:
    bad = desadv_text("2").replace("MAT", "M\xe4T").encode("latin-1")
    data = b"UNB+UNOA:3+SUP+BUY+261201:0800+REF1'" + desadv_text("1").encode() + bad + b"UNZ+2+REF1'"
    _, (outcome,) = check(data)

    (rejected,) = outcome.rejected_messages
    error = rejected.errors[0]
    assert (rejected.reference, error.code, error.segment_tag, error.segment_position) == (
        "2",
        SyntaxErrorCode.INVALID_CHARACTERS,
        "LIN",
        7,
    )


def test_groups_are_counted_by_unz_and_checked_by_une() -> None:
    group = "UNG+DESADV+SUP+BUY+261201:0800+G1+UN+D:96A'" + desadv_text("1") + desadv_text("2") + "UNE+2+G1'"
    data = interchange(group, count=1)
    _, (outcome,) = check(data)

    assert (outcome.accepted, outcome.reasons) == (True, [])
    assert published(data) == ["UNB REF1/UNH 1", "UNB REF1/UNH 2"]


def test_groups_written_and_read_back() -> None:
    out = io.BytesIO()
    with InterchangeWriter(out, sender=SUPPLIER, recipient=BUYER, control_reference="GRP1") as writer:
        for reference, asn in (("G1", "A1"), ("G2", "A2")):
            writer.begin_group(
                "DESADV",
                reference,
                application_sender=SUPPLIER,
                application_recipient=BUYER,
                version="D",
                release="96A",
            )
            writer.write_message(asn, DESADV.identifier, DESADV.write(notice(asn_number=asn)))
            writer.end_group()
    reading, (outcome,) = check(out.getvalue())

    assert (outcome.accepted, outcome.reasons) == (True, [])
    assert [d.correlation_id for d in reading.messages()] == ["A1", "A2"]


def test_une_count_wrong_rejects_the_group_and_its_messages() -> None:
    good = "UNG+DESADV+SUP+BUY+261201:0800+G1+UN+D:96A'" + desadv_text("1") + "UNE+1+G1'"
    bad = "UNG+DESADV+SUP+BUY+261201:0800+G2+UN+D:96A'" + desadv_text("2") + desadv_text("3") + "UNE+5+G2'"
    data = interchange(good, bad, count=2)
    _, (outcome,) = check(data)

    assert outcome.accepted and outcome.published_count == 1
    (group,) = outcome.rejected_groups
    assert (group.header.reference, group.error.code, group.error.segment_tag) == (
        "G2",
        SyntaxErrorCode.CONTROL_COUNT_MISMATCH,
        "UNE",
    )
    assert published(data) == ["UNB REF1/UNH 1"]


def test_group_with_another_message_type() -> None:
    group = "UNG+ORDERS+SUP+BUY+261201:0800+G1+UN+D:96A'" + desadv_text("1") + "UNE+1+G1'"
    _, (outcome,) = check(interchange(group, count=1))
    assert outcome.rejected_groups[0].error.code == SyntaxErrorCode.MORE_THAN_ONE_MESSAGE_TYPE_IN_GROUP


def test_groups_and_bare_messages_cannot_mix() -> None:
    group = "UNG+DESADV+SUP+BUY+261201:0800+G1+UN+D:96A'" + desadv_text("1") + "UNE+1+G1'"
    _, (outcome,) = check(interchange(desadv_text("2"), group, count=2))
    assert outcome.error is not None and outcome.error.code == SyntaxErrorCode.GROUPS_AND_MESSAGES_MIXED


@pytest.mark.parametrize(
    ("unb", "code", "element"),
    [
        ("UNB+UNOX:3+SUP+BUY+261201:0800+R", SyntaxErrorCode.UNSUPPORTED_SYNTAX, 1),
        ("UNB+UNOC:9+SUP+BUY+261201:0800+R", SyntaxErrorCode.UNSUPPORTED_SYNTAX, 1),
        ("UNB+UNOC:3++BUY+261201:0800+R", SyntaxErrorCode.MISSING, 2),
        ("UNB+UNOC:3+SUP+BUY+2612:0800+R", SyntaxErrorCode.INVALID_VALUE, 4),
        ("UNB+UNOC:3+SUP+BUY+261201:0800", SyntaxErrorCode.MISSING, 5),
        ("UNB+UNOC:3+SUP+BUY+261201:0800+R++++++++X", SyntaxErrorCode.TOO_MANY_CONSTITUENTS, 12),
    ],
)
def test_bad_unb(unb: str, code: SyntaxErrorCode, element: int) -> None:
    _, (outcome,) = check((unb + "'" + desadv_text("1") + "UNZ+1+R'").encode())
    assert outcome.error is not None
    assert (outcome.error.code, outcome.error.segment_tag, outcome.error.element) == (code, "UNB", element)
    assert outcome.published_count == 0


def test_interchange_for_someone_else() -> None:
    _, (outcome,) = check(interchange(desadv_text("1")), recipients={"US", "ALSO-US"})
    assert outcome.error is not None and outcome.error.code == SyntaxErrorCode.RECIPIENT_NOT_ACTUAL
    _, (ours,) = check(interchange(desadv_text("1")), recipients={"BUY"})
    assert ours.accepted


def test_several_interchanges_and_data_around_them() -> None:
    first = interchange(desadv_text("1"), reference="A")
    second = interchange(desadv_text("1"), reference="B")
    reading, outcomes = check(first + b"\n" + second + b"JUNK+1'MORE'")

    assert [(o.index, o.header.control_reference if o.header else None, o.accepted) for o in outcomes] == [
        (1, "A", True),
        (2, "B", True),
        (3, None, False),
    ]
    assert "2 segment(s) outside any interchange" in outcomes[2].reasons[0]
    assert [decoded.reference for decoded in reading.messages()] == ["UNB A/UNH 1", "UNB B/UNH 1"]


def test_interchange_cut_short_by_the_next_one() -> None:
    first = interchange(desadv_text("1"), reference="A").rsplit(b"UNZ", 1)[0]
    _, outcomes = check(first + interchange(desadv_text("1"), reference="B"))

    assert [o.accepted for o in outcomes] == [False, True]
    assert "no UNZ before the next UNB" in outcomes[0].reasons[0]


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"", "the file is empty"),
        (b"   \r\n", "the file is empty"),
        (b"%PDF-1.7 not'edifact'", "outside any interchange"),
        (b"UNA:+.? 'UNH+1+X'", "outside any interchange"),
        (b"UNA:+.? 'UNB+UNOC:3+SUP+BU", "no segment terminator"),
        (b"UNA:+.? 'UNB+UNOC:3+SUP+BU" + b"X" * 70_000, "no segment terminator"),
    ],
)
def test_files_without_any_interchange_are_unreadable(data: bytes, why: str) -> None:
    with pytest.raises(EdifactSyntaxError) as raised:
        check(data)
    assert "no EDIFACT interchange found" in str(raised.value) and why in str(raised.value)
