"""New message ids are version 7 UUIDs that sort in the order they were made."""

from __future__ import annotations

import threading
import time
import uuid

import pytest

from bus import ids
from bus.canonical import ProductionOrderReleased
from bus.envelope import Envelope, Source
from bus.ids import new_message_id
from tests.support.payloads import production_order


def test_an_id_is_a_version_7_uuid_carrying_its_creation_time() -> None:
    before = time.time_ns() // 1_000_000
    made = new_message_id()
    after = time.time_ns() // 1_000_000

    assert (made.version, made.variant) == (7, uuid.RFC_4122)
    assert before <= made.int >> 80 <= after


def test_ids_sort_in_the_order_they_were_made_as_uuids_and_as_text() -> None:
    made = [new_message_id() for _ in range(20_000)]

    assert len(set(made)) == len(made)
    assert made == sorted(made)
    assert [str(each) for each in made] == sorted(str(each) for each in made)


def test_ids_keep_increasing_when_the_clock_is_set_back(monkeypatch: pytest.MonkeyPatch) -> None:
    now = time.time_ns()
    clock = iter([now, now, now - 60 * 10**9, now - 60 * 10**9, now + 1])
    monkeypatch.setattr(ids.time, "time_ns", lambda: next(clock))

    made = [new_message_id() for _ in range(5)]

    assert made == sorted(made)
    assert len(set(made)) == 5
    assert all(each.version == 7 for each in made)


def test_ids_made_on_several_threads_are_unique() -> None:
    made: list[list[uuid.UUID]] = [[] for _ in range(4)]

    def mint(into: list[uuid.UUID]) -> None:
        into.extend(new_message_id() for _ in range(5_000))

    threads = [threading.Thread(target=mint, args=(into,)) for into in made]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    everything = [each for batch in made for each in batch]
    assert len(set(everything)) == 20_000
    assert all(batch == sorted(batch) for batch in made)


def test_a_new_envelope_gets_a_time_ordered_id_and_a_given_one_is_kept() -> None:
    source = Source(system="ERP", interface="TEST")
    order = ProductionOrderReleased.model_validate(production_order())
    first = Envelope.wrap(order, source)
    second = Envelope.wrap(order, source)
    given = uuid.uuid4()

    assert first.message_id.version == 7
    assert first.message_id < second.message_id
    assert first.correlation_id == str(first.message_id)
    assert Envelope.wrap(order, source, message_id=given).message_id == given
