"""Random damage to valid files: reading must end in outcomes or PermanentError subclasses, nothing else."""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from datetime import datetime

import pytest

from bus.errors import PermanentError
from tests.test_x12_fixtures import asn_interchange, notice, po_interchange, sample
from transformers.x12 import X12Reading

SEEDS = range(150)
SAMPLES = {
    "generated 856": asn_interchange(notice("ASN-1"), notice("ASN-2"), newline="\r\n"),
    "partner 856": sample("asn_856.x12"),
    "850 with pipes": sample("po_850_pipes.x12"),
    "997 and TA1": sample("fa_997.x12"),
    "850 then 856": po_interchange() + asn_interchange(),
}
NOISE = "*~>|^:\n\r 0123456789ABCISEGTHL\x00\xe9"


def flip(data: bytearray, rng: random.Random) -> None:
    for _ in range(rng.randint(1, 4)):
        data[rng.randrange(len(data))] = ord(rng.choice(NOISE)) & 0xFF


def delete(data: bytearray, rng: random.Random) -> None:
    start = rng.randrange(len(data))
    del data[start : start + rng.randint(1, 40)]


def insert(data: bytearray, rng: random.Random) -> None:
    at = rng.randrange(len(data))
    data[at:at] = "".join(rng.choice(NOISE) for _ in range(rng.randint(1, 6))).encode()


def truncate(data: bytearray, rng: random.Random) -> None:
    del data[rng.randrange(len(data)) :]


def repeat_segment(data: bytearray, rng: random.Random) -> None:
    terminator = data[105:106] or b"~"
    parts = bytes(data).split(terminator)
    at = rng.randrange(len(parts))
    parts.insert(at, parts[at])
    data[:] = terminator.join(parts)


def swap_segments(data: bytearray, rng: random.Random) -> None:
    terminator = data[105:106] or b"~"
    parts = bytes(data).split(terminator)
    i, j = rng.randrange(len(parts)), rng.randrange(len(parts))
    parts[i], parts[j] = parts[j], parts[i]
    data[:] = terminator.join(parts)


MUTATIONS: list[Callable[[bytearray, random.Random], None]] = [
    flip,
    delete,
    insert,
    truncate,
    repeat_segment,
    swap_segments,
]


def mutated(original: bytes, seed: int) -> bytes:
    rng = random.Random(seed)
    data = bytearray(original)
    for mutation in rng.sample(MUTATIONS, rng.randint(1, 3)):
        if data:
            mutation(data, rng)
    return bytes(data)


@pytest.mark.parametrize("name", SAMPLES)
def test_damaged_files_give_outcomes_or_permanent_errors(name: str):
    kinds: set[str] = set()
    for seed in SEEDS:
        data = mutated(SAMPLES[name], seed)
        reading = X12Reading(io.BytesIO(data), chunk_size=64)
        outcomes = reading.check()
        assert outcomes, f"seed {seed}: no outcome"
        for outcome in outcomes:
            assert outcome.accepted or outcome.reasons, f"seed {seed}: rejected without a reason"
            assert all(isinstance(reason, str) and reason for reason in outcome.reasons)
            kinds.add("accepted" if outcome.accepted else "rejected")
            try:
                answer = outcome.acknowledgements(control_number=1, when=datetime(2024, 3, 1))
            except PermanentError:
                answer = None
            assert answer is None or answer.startswith(b"ISA")
        try:
            messages = list(reading.messages())
        except PermanentError:
            messages = []
        assert len(messages) <= sum(o.messages for o in outcomes), f"seed {seed}: more messages than accepted sets"
    assert kinds == {"accepted", "rejected"}, "the mutations should produce both verdicts"


@pytest.mark.parametrize("name", SAMPLES)
def test_acknowledgements_of_damaged_files_read_back_as_x12(name: str):
    for seed in SEEDS[:40]:
        outcomes = X12Reading(io.BytesIO(mutated(SAMPLES[name], seed))).check()
        for outcome in outcomes:
            answer = outcome.acknowledgements(control_number=7, when=datetime(2024, 3, 1))
            if answer is not None:
                replies = X12Reading(io.BytesIO(answer)).check()
                assert [r.accepted for r in replies] == [True], (seed, replies[0].reasons)
