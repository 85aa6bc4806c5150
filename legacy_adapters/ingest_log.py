"""What inbound adapters remember: the files they ingested and the identifiers those files claimed.

A file is recorded only after all its messages were confirmed by the broker. A crash before that re-ingests
it (same message ids, so routes deliver each once); after that, the same content is recognised and not
published again, whatever its name.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bus.store import inbound_claims, inbound_files, sequences


@dataclass(frozen=True)
class IngestedFile:
    name: str
    messages: int
    ingested_at: datetime


class IngestLog:
    """Blocking store access; inbound adapters call it from their worker thread."""

    def __init__(self, engine: Engine, route: str) -> None:
        self._engine = engine
        self._route = route
        self._insert = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert

    def find(self, digest: str) -> IngestedFile | None:
        query = select(inbound_files.c.name, inbound_files.c.messages, inbound_files.c.ingested_at).where(
            inbound_files.c.route == self._route, inbound_files.c.digest == digest
        )
        with self._engine.connect() as connection:
            row = connection.execute(query).first()
        return None if row is None else IngestedFile(row.name, row.messages, row.ingested_at)

    def is_claimed(self, claim: str) -> bool:
        with self._engine.connect() as connection:
            return (
                connection.execute(select(inbound_claims.c.claim).where(inbound_claims.c.claim == claim)).first()
                is not None
            )

    def record(self, digest: str, name: str, size: int, messages: int, claims: Iterable[str] = ()) -> None:
        """Record the file and its claims in one transaction; recording twice (two pollers) is harmless."""
        now = datetime.now(UTC)
        with self._engine.begin() as connection:
            connection.execute(
                self._insert(inbound_files)
                .values(route=self._route, digest=digest, name=name, size=size, messages=messages, ingested_at=now)
                .on_conflict_do_nothing()
            )
            rows = [{"claim": c, "route": self._route, "digest": digest, "claimed_at": now} for c in claims]
            if rows:
                connection.execute(self._insert(inbound_claims).values(rows).on_conflict_do_nothing())

    def next_number(self, sequence: str, *, wrap_at: int = 999_999_999) -> int:
        """The next value of a persistent counter (1, 2, ... up to ``wrap_at``, then 1 again)."""
        with self._engine.begin() as connection:
            connection.execute(self._insert(sequences).values(name=sequence, value=0).on_conflict_do_nothing())
            value = connection.execute(
                update(sequences)
                .where(sequences.c.name == sequence)
                .values(value=sequences.c.value % wrap_at + 1)
                .returning(sequences.c.value)
            ).scalar_one()
        return value
