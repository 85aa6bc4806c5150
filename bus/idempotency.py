"""Exactly-once effect at the target: (route, message_id) is recorded after a delivery and checked before one."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, select, tuple_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bus.batching import BatchRunner
from bus.store import delivered

Key = tuple[str, str]


class IdempotencyStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._insert = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert
        self._lookups: BatchRunner[Key, bool] = BatchRunner("idempotency-check", self._check_batch)
        self._records: BatchRunner[Key, None] = BatchRunner("idempotency-record", self._record_batch)

    def _check_batch(self, keys: Sequence[Key]) -> list[bool]:
        unique = list(set(keys))
        found: set[Key] = set()
        with self._engine.connect() as connection:
            for start in range(0, len(unique), 200):
                chunk = unique[start : start + 200]
                query = select(delivered.c.route, delivered.c.message_id).where(
                    tuple_(delivered.c.route, delivered.c.message_id).in_(chunk)
                )
                found.update((row.route, row.message_id) for row in connection.execute(query))
        return [key in found for key in keys]

    def _record_batch(self, keys: Sequence[Key]) -> list[None]:
        now = datetime.now(UTC)
        rows = [{"route": r, "message_id": m, "delivered_at": now} for r, m in dict.fromkeys(keys)]
        with self._engine.begin() as connection:
            connection.execute(self._insert(delivered).values(rows).on_conflict_do_nothing())
        return [None] * len(keys)

    async def already_delivered(self, route: str, message_id: uuid.UUID) -> bool:
        return await self._lookups.submit((route, str(message_id)))

    async def record(self, route: str, message_id: uuid.UUID) -> None:
        await self._records.submit((route, str(message_id)))

    def prune(self, older_than: timedelta) -> int:
        """Forget deliveries older than the redelivery horizon; returns the rows removed."""
        with self._engine.begin() as connection:
            result = connection.execute(
                delete(delivered).where(delivered.c.delivered_at < datetime.now(UTC) - older_than)
            )
        return result.rowcount

    async def close(self) -> None:
        await self._lookups.close()
        await self._records.close()
