"""Exactly-once effect at the target: (route, message_id) is recorded after a delivery and checked before one.

Checks and records from all routes of the process share one worker thread and one store connection: each
round trip writes the records queued so far, then answers the checks queued so far, in one transaction.
Records go first, so a check that arrives together with the record of the same message sees it.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any

from sqlalchemy import Engine, delete

from bus.batching import BatchRunner
from bus.rawsql import RawConnection, chunks, insert_ignoring_duplicates
from bus.store import delivered

Key = tuple[str, str]
CHECK_CHUNK = 200
"""Keys per ``IN`` list, well under SQLite's limit of bound parameters."""


class Op(Enum):
    CHECK = "check"
    RECORD = "record"


class IdempotencyStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._raw = RawConnection(engine)
        self._binder = self._raw.datetime_binder(delivered.c.delivered_at)
        self._insert = insert_ignoring_duplicates(self._raw, delivered.name, ["route", "message_id", "delivered_at"])
        self._runner: BatchRunner[tuple[Op, Key], bool] = BatchRunner(
            "idempotency", self._round_trip, on_close=self._raw.close
        )

    def _round_trip(self, items: Sequence[tuple[Op, Key]]) -> list[bool]:
        records = list(dict.fromkeys(key for op, key in items if op is Op.RECORD))
        checks = {key for op, key in items if op is Op.CHECK}
        found = self._raw.run(lambda cursor: self._write_then_look_up(cursor, records, checks))
        return [op is Op.CHECK and key in found for op, key in items]

    def _write_then_look_up(self, cursor: Any, records: list[Key], checks: set[Key]) -> set[Key]:
        if records:
            now = self._binder(datetime.now(UTC))
            cursor.executemany(self._insert, [(route, message_id, now) for route, message_id in records])
        found: set[Key] = set()
        by_route: dict[str, list[str]] = defaultdict(list)
        for route, message_id in checks:
            by_route[route].append(message_id)
        for route, message_ids in by_route.items():
            for chunk in chunks(message_ids, CHECK_CHUNK):
                cursor.execute(
                    f"SELECT message_id FROM {delivered.name} WHERE route = {self._raw.placeholder}"
                    f" AND message_id IN ({self._raw.placeholders(len(chunk))})",
                    (route, *chunk),
                )
                found.update((route, row[0]) for row in cursor.fetchall())
        return found

    async def already_delivered(self, route: str, message_id: uuid.UUID) -> bool:
        return await self._runner.submit((Op.CHECK, (route, str(message_id))))

    async def record(self, route: str, message_id: uuid.UUID) -> None:
        await self._runner.submit((Op.RECORD, (route, str(message_id))))

    def prune(self, older_than: timedelta) -> int:
        """Forget deliveries older than the redelivery horizon; returns the rows removed."""
        with self._engine.begin() as connection:
            result = connection.execute(
                delete(delivered).where(delivered.c.delivered_at < datetime.now(UTC) - older_than)
            )
        return result.rowcount

    async def close(self) -> None:
        await self._runner.close()
