"""EdifactReading: two passes over a file, partial acceptance, streaming in bounded memory, and robustness against
any input (random mutations of valid files yield outcomes or PermanentError, never anything else)."""

from __future__ import annotations

import io
import random
import tracemalloc
from datetime import datetime

import pytest

from bus.errors import PermanentError
from tests.test_edifact_samples import BUYER, SUPPLIER, check, desadv_text, interchange, notice, order, sample
from transformers.decoding import DecodeFailed, get_decoder
from transformers.edifact import EdifactReading, generate_desadv, generate_orders, parse_contrl


def test_one_message_failing_its_map_does_not_hold_back_the_others() -> None:
    notices = [notice(asn_number=f"ASN-{n}", shipped_at=datetime(2026, 11, n, 7, 0)) for n in (1, 2, 3)]
    data = generate_desadv(notices, sender=SUPPLIER, recipient=BUYER, control_reference="SUP471")
    data = data.replace(b"BGM+351+ASN-2+9'", b"BGM+351++9'")
    reading, (outcome,) = check(data)

    assert (outcome.accepted, outcome.message_count, outcome.published_count) == (True, 3, 2)
    (rejected,) = outcome.rejected_messages
    assert (rejected.index, rejected.reference) == (2, "2")
    assert outcome.reasons == [
        "message 2 (UNH '2', DESADV:D:96A:UN): BGM has no document number (1004) (BGM02, segment 2 of the message, "
        f"byte {data.index(b'BGM+351++9')}) [syntax error 13: missing]"
    ]
    decoded = list(reading.messages())
    assert [(d.reference, d.correlation_id, d.occurred_at) for d in decoded] == [
        ("UNB SUP471/UNH 1", "ASN-1", datetime(2026, 11, 1, 7, 0)),
        ("UNB SUP471/UNH 3", "ASN-3", datetime(2026, 11, 3, 7, 0)),
    ]
    assert [d.payload for d in decoded] == [notices[0], notices[2]]


def test_unknown_message_types_and_acknowledgements_are_reported_not_published() -> None:
    contrl = "UNH+9+CONTRL:D:3:UN'UCI+OUT1+BUY+SUP+7'UNT+3+9'"
    invoice = desadv_text("5").replace("DESADV:D:96A", "INVOIC:D:96A")
    reading, (outcome,) = check(interchange(desadv_text("1"), contrl, invoice))

    assert outcome.accepted and outcome.published_count == 1
    assert [c.interchange_reference for c in outcome.received_acknowledgements] == ["OUT1"]
    assert [m.reference for m in outcome.rejected_messages] == ["5"]
    assert "INVOIC:D:96A:UN is not supported here" in outcome.reasons[0]
    assert [d.reference for d in reading.messages()] == ["UNB REF1/UNH 1"]


def test_desadv_and_orders_in_one_file() -> None:
    desadv = generate_desadv([notice()], sender=SUPPLIER, recipient=BUYER, control_reference="A")
    orders = generate_orders([order()], sender=BUYER, recipient=SUPPLIER, control_reference="B", newline=True)
    reading, outcomes = check(desadv + b"\r\n" + orders)

    assert [o.accepted for o in outcomes] == [True, True]
    assert [(d.reference, d.correlation_id) for d in reading.messages()] == [
        ("UNB A/UNH 1", "ASN-4711"),
        ("UNB B/UNH 1", "4500012345"),
    ]


def test_messages_runs_the_check_when_it_did_not_run() -> None:
    reading = EdifactReading(io.BytesIO(sample("orders.edi")))
    (decoded,) = reading.messages()
    assert decoded.correlation_id == "4500012345"


@pytest.mark.parametrize("chunk_size", [256, 1000, 4096])
def test_small_chunks_read_the_same(chunk_size: int) -> None:
    data = sample("desadv_two_messages.edi")
    expected = list(check(data)[0].messages())
    reading, outcomes = check(data, chunk_size=chunk_size)
    assert [o.accepted for o in outcomes] == [True]
    assert list(reading.messages()) == expected


def test_a_file_changed_between_the_passes() -> None:
    stream = io.BytesIO(interchange(desadv_text("1")))
    reading = EdifactReading(stream)
    reading.check()
    stream.seek(0)
    stream.write(b"UNB+UNOC:3+SUP:ZZ+BUY:ZZ+261201:0800+REF2")
    with pytest.raises(DecodeFailed):
        list(reading.messages())


def test_registered_as_a_decoder() -> None:
    decode = get_decoder("edifact")
    assert [d.correlation_id for d in decode(io.BytesIO(sample("desadv_two_messages.edi")))] == [
        "ASN-2026-0815",
        "ASN-2026-0816",
    ]
    with pytest.raises(DecodeFailed) as raised:
        list(decode(io.BytesIO(interchange(desadv_text("1"), count=5))))
    assert "UNZ counts 5 messages" in str(raised.value)


def large_file(messages: int) -> bytes:
    """An interchange of ``messages`` DESADVs of about 4 KB each."""
    return interchange(*(desadv_text(str(n), f"ASN{n}", lines=40) for n in range(messages)), reference="BIG")


def peak_memory(data: bytes) -> int:
    stream = io.BytesIO(data)
    tracemalloc.start()
    try:
        reading = EdifactReading(stream, chunk_size=1 << 16)
        reading.check()
        assert sum(1 for _ in reading.messages()) == data.count(b"UNH+")
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_file() -> None:
    small, large = large_file(80), large_file(320)
    assert len(large) > 4 * len(small) - 1000
    small_peak, large_peak = peak_memory(small), peak_memory(large)
    assert large_peak < small_peak + 100_000  # the message references kept for the duplicate check, nothing more
    assert large_peak < 1_000_000


MUTATIONS = ("flip", "delete", "duplicate", "separator", "truncate", "swap")


def mutate(data: bytes, rng: random.Random) -> bytes:
    for _ in range(rng.randint(1, 3)):
        kind = rng.choice(MUTATIONS)
        at = rng.randrange(len(data))
        span = rng.randint(1, 40)
        if kind == "flip":
            data = data[:at] + bytes([rng.randrange(256)]) + data[at + 1 :]
        elif kind == "delete":
            data = data[:at] + data[at + span :]
        elif kind == "duplicate":
            data = data[:at] + data[at : at + span] + data[at:]
        elif kind == "separator":
            data = data[:at] + rng.choice([b"'", b"+", b":", b"?", b"UNH+", b"UNZ+", b"UNB+", b"UNA"]) + data[at:]
        elif kind == "truncate":
            data = data[:at]
        else:
            other = rng.randrange(len(data))
            data = data[:at] + data[other : other + span] + data[at + span :]
        if not data:
            break
    return data


@pytest.mark.parametrize(
    "name", ["desadv_two_messages.edi", "orders.edi", "orders_custom_una.edi", "contrl_partial.edi"]
)
def test_random_mutations_yield_outcomes_or_permanent_errors(name: str) -> None:
    rng = random.Random(name)
    original = sample(name)
    for _ in range(300):
        data = mutate(original, rng)
        reading = EdifactReading(io.BytesIO(data), chunk_size=256)
        try:
            outcomes = reading.check()
            decoded = list(reading.messages())
        except PermanentError:
            continue
        assert len(decoded) == sum(outcome.published_count for outcome in outcomes)
        for outcome in outcomes:
            assert outcome.accepted or outcome.reasons
            answer = outcome.acknowledgements(control_reference="ACK", when=datetime(2026, 1, 1), always=True)
            if answer is not None and outcome.header is not None:
                (contrl,) = parse_contrl(answer)
                assert contrl.interchange_reference == outcome.header.control_reference
                assert contrl.verdict.rejected == (not outcome.accepted)
