"""Parking dead letters in the store: batched inserts in a worker thread, a dead letter stored once."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bus.batching import BatchRunner
from deadletter.record import ParkedLetter, RawDeadLetter, describe
from deadletter.tables import deadletter_attempts, deadletter_keys, deadletters

log = logging.getLogger(__name__)

PARKED = "parked"
REPLAYED = "replayed"
DISCARDED = "discarded"
STATUSES = (PARKED, REPLAYED, DISCARDED)


def _row(letter: ParkedLetter, now: datetime) -> dict[str, Any]:
    return {
        "dedupe_key": letter.dedupe_key,
        "message_id": letter.message_id,
        "correlation_id": letter.correlation_id,
        "message_type": letter.message_type,
        "schema_version": letter.schema_version,
        "plant": letter.plant,
        "route": letter.route,
        "routing_key": letter.routing_key,
        "reason": letter.reason,
        "error_class": letter.error_class,
        "error_message": letter.error_message,
        "fingerprint": letter.fingerprint,
        "shape": letter.shape,
        "attempts": letter.attempt_count,
        "failed_at": letter.failed_at,
        "parked_at": now,
        "status": PARKED,
        "status_at": now,
        "replays": 0,
        "body": letter.raw.body,
        "edited_body": None,
        "properties": letter.raw.properties,
        "headers": letter.raw.headers,
    }


def _describe(raw: RawDeadLetter) -> ParkedLetter | None:
    try:
        return describe(raw)
    except Exception:
        log.exception("dead letter %s cannot be read; leaving it on the queue", raw.properties.get("message_id"))
        return None


class ParkingStore:
    """``park(raw)`` returns True once stored, False if it was stored before, None if it cannot be read."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._insert = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert
        self._batches: BatchRunner[RawDeadLetter, bool | None] = BatchRunner("deadletter-park", self.park_batch)

    async def park(self, raw: RawDeadLetter) -> bool | None:
        return await self._batches.submit(raw)

    def park_batch(self, raws: Sequence[RawDeadLetter]) -> list[bool | None]:
        letters = [_describe(raw) for raw in raws]
        unique = {letter.dedupe_key: letter for letter in letters if letter is not None}
        with self._engine.begin() as connection:
            inserted = self._insert_new(connection, list(unique.values())) if unique else {}
        first: set[str] = set()
        results: list[bool | None] = []
        for letter in letters:
            if letter is None:
                results.append(None)
                continue
            results.append(letter.dedupe_key in inserted and letter.dedupe_key not in first)
            first.add(letter.dedupe_key)
        return results

    def _insert_new(self, connection: Connection, letters: list[ParkedLetter]) -> dict[str, int]:
        now = datetime.now(UTC)
        statement = (
            self._insert(deadletters)
            .values([_row(letter, now) for letter in letters])
            .on_conflict_do_nothing(index_elements=["dedupe_key"])
            .returning(deadletters.c.id, deadletters.c.dedupe_key)
        )
        inserted = {row.dedupe_key: row.id for row in connection.execute(statement)}
        attempts = [
            {
                "deadletter_id": inserted[letter.dedupe_key],
                "seq": seq,
                "attempt": attempt.attempt,
                "error_class": attempt.error_class,
                "error_message": attempt.error_message,
                "failed_at": attempt.failed_at,
            }
            for letter in letters
            if letter.dedupe_key in inserted
            for seq, attempt in enumerate(letter.attempts, start=1)
        ]
        keys = [
            {"deadletter_id": inserted[letter.dedupe_key], "name": name, "value": value[:255]}
            for letter in letters
            if letter.dedupe_key in inserted
            for name, value in letter.business_keys.items()
        ]
        if attempts:
            connection.execute(insert(deadletter_attempts), attempts)
        if keys:
            connection.execute(insert(deadletter_keys), keys)
        return inserted

    async def close(self) -> None:
        await self._batches.close()
