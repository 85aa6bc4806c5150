"""CONTRL: the acknowledgement built from an outcome (checked element by element), when one is due, and CONTRL
read back."""

from __future__ import annotations

from datetime import datetime

from tests.test_edifact_samples import check, desadv_text, interchange, sample
from transformers.edifact import (
    Contrl,
    Delimiters,
    ElementError,
    ErrorPosition,
    GroupResponse,
    MessageIdentifier,
    MessageResponse,
    Party,
    SegmentError,
    SyntaxErrorCode,
    Verdict,
    generate_contrl,
    parse_contrl,
)
from transformers.edifact.tokenizer import tokenize

WHEN = datetime(2026, 12, 1, 9, 30)


def segments(data: bytes) -> list[list[list[str]]]:
    return [segment.to_list() for segment in tokenize(data)]


def ack(data: bytes, **options: object) -> bytes | None:
    _, (outcome,) = check(data)
    return outcome.acknowledgements(control_reference="ACK1", when=WHEN, **options)  # type: ignore[arg-type]


def test_rejected_messages_are_reported_element_by_element() -> None:
    unreadable_quantity = desadv_text("3").replace("QTY+12:5", "QTY+12:five")
    data = interchange(desadv_text("1"), desadv_text("2", count=3), unreadable_quantity, ack=True)
    answer = ack(data)

    assert answer is not None
    assert segments(answer) == [
        [["UNB"], ["UNOC", "3"], ["BUY", "ZZ"], ["SUP", "ZZ"], ["261201", "0930"], ["ACK1"]],
        [["UNH"], ["1"], ["CONTRL", "D", "3", "UN"]],
        [["UCI"], ["REF1"], ["SUP", "ZZ"], ["BUY", "ZZ"], ["7"]],
        [["UCM"], ["2"], ["DESADV", "D", "96A", "UN"], ["4"], ["29"], ["UNT"], ["2"]],
        [["UCM"], ["3"], ["DESADV", "D", "96A", "UN"], ["4"]],
        [["UCS"], ["8"]],
        [["UCD"], ["12"], ["2", "2"]],
        [["UNT"], ["7"], ["1"]],
        [["UNZ"], ["1"], ["ACK1"]],
    ]


def test_rejected_interchange_is_reported_in_uci() -> None:
    answer = ack(interchange(desadv_text("1"), count=2))
    assert answer is not None
    assert segments(answer)[2] == [["UCI"], ["REF1"], ["SUP", "ZZ"], ["BUY", "ZZ"], ["4"], ["29"], ["UNZ"], ["2"]]


def test_duplicate_interchange_is_rejected_whole() -> None:
    data = interchange(desadv_text("1"), desadv_text("2"))
    received = {("SUP", "REF1")}
    reading, (outcome,) = check(data, is_duplicate=lambda h: (h.sender.id, h.control_reference) in received)

    assert not outcome.accepted and outcome.duplicate and outcome.published_count == 0
    assert "was received before (duplicate)" in outcome.reasons[0]
    assert list(reading.messages()) == []
    answer = outcome.acknowledgements(control_reference="ACK1", when=WHEN)
    assert answer is not None
    assert segments(answer)[2] == [["UCI"], ["REF1"], ["SUP", "ZZ"], ["BUY", "ZZ"], ["4"], ["26"], ["UNB"], ["6"]]


def test_control_reference_used_twice_in_one_file() -> None:
    data = interchange(desadv_text("1")) + interchange(desadv_text("1"))
    reading, outcomes = check(data)

    assert [(o.accepted, o.duplicate) for o in outcomes] == [(True, False), (False, True)]
    assert "already used by interchange 1 of this file" in outcomes[1].reasons[0]
    assert [decoded.reference for decoded in reading.messages()] == ["UNB REF1/UNH 1"]


def test_no_acknowledgement_unless_requested_forced_or_needed() -> None:
    fine = interchange(desadv_text("1"))
    assert ack(fine) is None
    forced = ack(fine, always=True)
    requested = ack(interchange(desadv_text("1"), ack=True))
    assert forced is not None and requested is not None
    assert segments(forced)[2] == segments(requested)[2] == [["UCI"], ["REF1"], ["SUP", "ZZ"], ["BUY", "ZZ"], ["7"]]
    assert ack(interchange(desadv_text("1", count=2))) is not None


def test_acknowledgements_are_never_acknowledged() -> None:
    contrl = sample("contrl_partial.edi")
    assert ack(contrl, always=True) is None
    broken = contrl.replace(b"UNT+8+1", b"UNT+9+1")
    _, (outcome,) = check(broken)
    assert outcome.rejected_messages and outcome.acknowledgements(control_reference="X", when=WHEN) is None


def test_acknowledgement_keeps_the_inbound_syntax_and_service_characters() -> None:
    answer = ack(sample("orders_custom_una.edi"), always=True, sender=Party("SUP-AS2", "ZZZ"))

    assert answer is not None and answer.startswith(b"UNA|*,! ~UNB*UNOA|3*SUP-AS2|ZZZ*BUYER!!1*")
    unb, _unh, uci = segments(answer)[:3]
    assert unb[1:4] == [["UNOA", "3"], ["SUP-AS2", "ZZZ"], ["BUYER!1"]]
    assert uci == [["UCI"], ["C*1"], ["BUYER!1"], ["SUP"], ["7"]]


def test_syntax_version_4_gets_contrl_4_1() -> None:
    data = interchange(desadv_text("1")).replace(b"UNOC:3", b"UNOC:4").replace(b"261201:0800", b"20261201:0800")
    answer = ack(data, always=True)
    assert answer is not None
    unb, unh = segments(answer)[:2]
    assert unb[1:5] == [["UNOC", "4"], ["BUY", "ZZ"], ["SUP", "ZZ"], ["20261201", "0930"]]
    assert unh[2] == ["CONTRL", "4", "1", "UN"]


def test_unsupported_syntax_is_answered_in_unoa() -> None:
    answer = ack(interchange(desadv_text("1")).replace(b"UNOC:3", b"UNOX:3"))
    assert answer is not None
    unb, _unh, uci = segments(answer)[:3]
    assert unb[1] == ["UNOA", "3"]
    assert uci[4:] == [["4"], ["2"], ["UNB"], ["2", "1"]]


def test_groups_get_ucf() -> None:
    good = "UNG+DESADV+SUP+BUY+261201:0800+G1+UN+D:96A'" + desadv_text("1") + desadv_text("2", count=1) + "UNE+2+G1'"
    bad = "UNG+DESADV+SUP+BUY+261201:0800+G2+UN+D:96A'" + desadv_text("3") + "UNE+1+G9'"
    answer = ack(interchange(good, bad, count=2))

    assert answer is not None
    assert segments(answer)[2:7] == [
        [["UCI"], ["REF1"], ["SUP", "ZZ"], ["BUY", "ZZ"], ["7"]],
        [["UCF"], ["G1"], ["SUP"], ["BUY"], ["7"]],
        [["UCM"], ["2"], ["DESADV", "D", "96A", "UN"], ["4"], ["29"], ["UNT"], ["2"]],
        [["UCF"], ["G2"], ["SUP"], ["BUY"], ["4"], ["28"], ["UNE"], ["3"]],
        [["UNT"], ["6"], ["1"]],
    ]


def test_unsupported_message_type_is_reported_on_ucm() -> None:
    invoice = desadv_text("2").replace("DESADV:D:96A", "INVOIC:D:96A")
    answer = ack(interchange(desadv_text("1"), invoice))
    assert answer is not None
    assert segments(answer)[3] == [["UCM"], ["2"], ["INVOIC", "D", "96A", "UN"], ["4"], ["17"], ["UNH"], ["3", "1"]]
    _, (outcome,) = check(interchange(desadv_text("1"), invoice))
    assert outcome.rejected_messages[0].errors[0].code == SyntaxErrorCode.NO_AGREEMENT


def test_contrl_round_trip() -> None:
    contrl = Contrl(
        interchange_reference="IC:9",
        sender=Party("SUP", "ZZ", "ROUTE"),
        recipient=Party("BUY"),
        verdict=Verdict("7"),
        groups=(
            GroupResponse("G1", Party("APP1", "ZZ"), Party("APP2"), Verdict("4", "29", "UNE", ErrorPosition(2))),
            GroupResponse(
                "G2",
                Party("APP1"),
                Party("APP2"),
                Verdict("7"),
                messages=(
                    MessageResponse(
                        "M'1",
                        MessageIdentifier("DESADV", "D", "96A", "UN", "EAN005"),
                        Verdict("4"),
                        segments=(
                            SegmentError(12, "13"),
                            SegmentError(14, elements=(ElementError("12", ErrorPosition(3, 2)),)),
                        ),
                    ),
                ),
            ),
        ),
    )
    for delimiters in (Delimiters(), Delimiters(component="|", element="*", release="!", segment="~")):
        data = generate_contrl(
            contrl, sender=Party("BUY"), recipient=Party("SUP"), control_reference="A1", delimiters=delimiters
        )
        assert parse_contrl(data) == [contrl]
