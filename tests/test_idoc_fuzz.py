"""Mutated IDoc files: decoding either succeeds or fails with a PermanentError, never with anything else."""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from pathlib import Path

import pytest

from bus.errors import PermanentError
from transformers.decoding import DecodeFailed, get_decoder

DATA = Path(__file__).parent / "data" / "idoc"
SAMPLES = {
    "idoc.flat": ["loipro01.txt", "wmmbxy.txt", "pptimeticket.txt"],
    "idoc.xml": ["loipro01.xml", "mbgmcr03.xml", "pptimeticket.xml"],
}
ROUNDS = 150
NOISE = b"0123456789 .-+,/:;<>&'\"\r\n\x00\xff\xc3EDI_DC40XMLIDOC\t"


def flip(rng: random.Random, data: bytearray) -> None:
    for _ in range(rng.randint(1, 8)):
        data[rng.randrange(len(data))] = rng.choice(NOISE)


def truncate(rng: random.Random, data: bytearray) -> None:
    del data[rng.randrange(len(data)) :]


def delete(rng: random.Random, data: bytearray) -> None:
    start = rng.randrange(len(data))
    del data[start : start + rng.randint(1, 80)]


def insert(rng: random.Random, data: bytearray) -> None:
    at = rng.randrange(len(data))
    data[at:at] = bytes(rng.choice(NOISE) for _ in range(rng.randint(1, 20)))


def duplicate(rng: random.Random, data: bytearray) -> None:
    start = rng.randrange(len(data))
    piece = data[start : start + rng.randint(1, 1200)]
    at = rng.randrange(len(data))
    data[at:at] = piece


def swap_lines(rng: random.Random, data: bytearray) -> None:
    lines = bytes(data).split(b"\n")
    if len(lines) > 2:
        i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    data[:] = b"\n".join(lines)


def digits_to_letters(rng: random.Random, data: bytearray) -> None:
    positions = [i for i, byte in enumerate(data) if 48 <= byte <= 57]
    for position in rng.sample(positions, k=min(len(positions), rng.randint(1, 6))):
        data[position] = rng.choice(b"AZ-. ")


MUTATIONS: list[Callable[[random.Random, bytearray], None]] = [
    flip,
    truncate,
    delete,
    insert,
    duplicate,
    swap_lines,
    digits_to_letters,
]


def decode(decoder: str, data: bytes) -> int:
    return sum(1 for _ in get_decoder(decoder)(io.BytesIO(data)))


@pytest.mark.parametrize("decoder", sorted(SAMPLES))
def test_mutated_documents_fail_only_with_permanent_errors(decoder: str) -> None:
    rng = random.Random(f"idoc-fuzz-{decoder}")
    outcomes = {"decoded": 0, "refused": 0}
    for name in SAMPLES[decoder]:
        original = (DATA / name).read_bytes()
        for _ in range(ROUNDS):
            data = bytearray(original)
            for mutation in rng.sample(MUTATIONS, k=rng.randint(1, 3)):
                if data:
                    mutation(rng, data)
            try:
                decode(decoder, bytes(data))
            except PermanentError as exc:
                assert isinstance(exc, DecodeFailed), f"{type(exc).__name__} escaped the {decoder} decoder: {exc}"
                assert exc.reason
                outcomes["refused"] += 1
            else:
                outcomes["decoded"] += 1
    # the mutations must exercise both paths, or the test says nothing
    assert outcomes["refused"] > ROUNDS // 2 and outcomes["decoded"] > 0, outcomes


@pytest.mark.parametrize("decoder", sorted(SAMPLES))
def test_every_prefix_of_a_document_decodes_or_fails_permanently(decoder: str) -> None:
    original = (DATA / SAMPLES[decoder][1]).read_bytes()
    refused = 0
    for end in range(0, len(original), 7):
        try:
            decode(decoder, original[:end])
        except PermanentError as exc:
            assert isinstance(exc, DecodeFailed)
            refused += 1
    assert refused > len(original) // 14
    assert decode(decoder, original) == 1
