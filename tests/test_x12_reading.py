"""X12Reading: the two passes, what they yield, and what they refuse."""

from __future__ import annotations

import io
import pickle
from datetime import datetime

import pytest

from tests.test_x12_fixtures import asn_interchange, notice, order, po_interchange, read, sample
from transformers.decoding import DecodeFailed, message_id_for
from transformers.x12 import X12Reading


def test_messages_come_from_accepted_interchanges_only_in_file_order():
    good = asn_interchange(notice("ASN-1"), notice("ASN-2"), control_number=1)
    broken = asn_interchange(notice("ASN-3"), control_number=2)[:-3]
    data = good + po_interchange(order("PO-1")) + broken
    outcomes, messages = read(data)
    assert [o.accepted for o in outcomes] == [True, True, False]
    assert [o.messages for o in outcomes] == [2, 1, 0]
    assert [(m.correlation_id, m.reference) for m in messages] == [
        ("ASN-1", "ISA 000000001/GS 1/ST 0001"),
        ("ASN-2", "ISA 000000001/GS 1/ST 0002"),
        ("PO-1", "ISA 000001201/GS 1201/ST 0001"),
    ]
    assert messages[0].occurred_at == datetime(2024, 3, 1, 14, 30)  # BSN03/04 as sent
    assert messages[2].occurred_at == order().issued_at


def test_messages_checks_first_when_check_was_not_called():
    reading = X12Reading(io.BytesIO(asn_interchange(notice())))
    assert [m.payload for m in reading.messages()] == [notice()]
    assert reading.check()[0].accepted


def test_references_are_stable_across_readings_so_message_ids_are_too():
    data = sample("asn_856.x12")
    first = [message_id_for("digest", m.reference) for m in read(data)[1]]
    second = [message_id_for("digest", m.reference) for m in read(data)[1]]
    assert first == second and len(first) == 1


def test_a_stream_that_changed_between_the_passes_is_refused():
    stream = io.BytesIO(asn_interchange(notice()))
    reading = X12Reading(stream)
    reading.check()
    stream.seek(0)
    stream.write(asn_interchange(notice(), control_number=9999))
    with pytest.raises(DecodeFailed, match="changed since it was checked"):
        list(reading.messages())


def test_many_clean_sets_are_kept_as_runs_yet_each_is_acknowledged():
    data = asn_interchange(*(notice(f"ASN-{n}") for n in range(12)))
    outcomes, messages = read(data)
    group = outcomes[0].groups[0]
    assert [s.control_number for s in group.sets()] == [f"{n:04d}" for n in range(1, 13)]
    ack = group.acknowledgement()
    assert [(s.control_number, s.code) for s in ack.sets] == [(f"{n:04d}", "A") for n in range(1, 13)]
    assert (ack.code, ack.included, ack.received, ack.accepted) == ("A", 12, 12, 12)
    assert len(messages) == 12


def test_what_an_outcome_keeps_does_not_grow_with_clean_sets():
    def kept(sets: int) -> int:
        outcomes, _ = read(asn_interchange(*[notice()] * sets))
        return len(pickle.dumps(outcomes[0].groups[0]))

    assert kept(300) - kept(3) < 16  # a few digits of a count, not one object per set


def test_the_duplicate_check_is_not_asked_about_an_unreadable_isa():
    asked = []
    reading = X12Reading(io.BytesIO(b"ISA*broken"), is_duplicate=lambda header: asked.append(header) or False)
    assert not reading.check()[0].accepted
    assert asked == []
