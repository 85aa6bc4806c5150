"""A long-lived DBAPI connection for the hot-path writers (idempotency, journal), used from one thread.

SQLAlchemy's per-statement work (pool checkout with its pre-ping, compiling, bind processing per row) costs
around a millisecond a batch. That time is spent holding the GIL in a worker thread, which stalls the event
loop's socket calls. The hot paths therefore run fixed SQL through the driver directly, with one connection
kept open and reopened after an error.

SQLite lets one writer in at a time. A writer that finds the file taken polls it: SQLite's busy handler sleeps
1, 2, 5, 10 ms and longer between tries, so it goes on waiting well after the file is free (a delivery's
idempotency record waited 3 to 18 ms behind a journal write of 2 ms). The writers of one process therefore
take turns on a lock of the process's own for each SQLite file (``sqlite_writer_lock``), which hands the file
to the next writer the moment it is released; writers in other processes still meet SQLite's own lock.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Column, Engine

log = logging.getLogger(__name__)

T = TypeVar("T")

_sqlite_writers: dict[str, threading.Lock] = {}
_sqlite_writers_guard = threading.Lock()


class StoreBusy(Exception):
    """Another writer of this process holds the SQLite file, and the caller asked not to wait for it."""


def is_sqlite_file(engine: Engine) -> bool:
    """True for a SQLite database in a file (not in memory)."""
    return engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:")


def sqlite_writer_lock(engine: Engine) -> threading.Lock | None:
    """The lock this process's writers take around each write transaction on ``engine``'s SQLite file; None for
    other databases (and in-memory SQLite, which has one connection)."""
    if not is_sqlite_file(engine):
        return None
    path = os.path.realpath(str(engine.url.database))
    with _sqlite_writers_guard:
        return _sqlite_writers.setdefault(path, threading.Lock())


class RawConnection:
    """One DBAPI connection from ``engine``; ``run(work)`` runs ``work(cursor)`` in a transaction.

    ``pragmas`` (SQLite) are set on the connection when it opens; such a connection is taken out of the
    engine's pool, so its settings never reach other users of the pool. On a SQLite file, a transaction that
    writes waits for the process's other writers (``sqlite_writer_lock``); with ``wait_for_writers=False`` it
    raises ``StoreBusy`` at once instead.
    """

    def __init__(self, engine: Engine, pragmas: Sequence[str] = (), *, wait_for_writers: bool = True) -> None:
        self._engine = engine
        self._pragmas = pragmas
        self._writers = sqlite_writer_lock(engine)
        self._wait_for_writers = wait_for_writers
        self._connection: Any = None
        self.dialect = engine.dialect.name
        self.placeholder = "?" if engine.dialect.paramstyle == "qmark" else "%s"

    def placeholders(self, count: int) -> str:
        return ", ".join([self.placeholder] * count)

    def datetime_binder(self, column: Column[Any]) -> Callable[[datetime | None], Any] | None:
        """The bind processor of ``column``'s type on this dialect; None: values go to the driver as they are."""
        return column.type.bind_processor(self._engine.dialect)

    def run(self, work: Callable[[Any], T], *, writes: bool = True) -> T:
        """``work(cursor)`` in a transaction; ``writes=False`` promises it only reads (it then need not wait
        for this process's other writers of a SQLite file)."""
        writers = self._writers if writes else None
        if writers is None:
            return self._transaction(work)
        if not writers.acquire(blocking=self._wait_for_writers):
            raise StoreBusy("another writer of this process holds the database")
        try:
            return self._transaction(work)
        finally:
            writers.release()

    def _transaction(self, work: Callable[[Any], T]) -> T:
        if self._connection is None:
            self._connection = self._open()
        try:
            cursor = self._connection.cursor()
            try:
                result = work(cursor)
            finally:
                cursor.close()
            self._connection.commit()
            return result
        except Exception:
            self._roll_back()
            raise

    def _open(self) -> Any:
        connection = self._engine.raw_connection()
        if self._pragmas:
            connection.detach()  # out of the pool: closing it below really closes it
            try:
                cursor = connection.cursor()
                for pragma in self._pragmas:
                    cursor.execute(f"PRAGMA {pragma}")
                cursor.close()
            except Exception:
                connection.close()
                raise
        return connection

    def _roll_back(self) -> None:
        """After an error: a connection that rolls back cleanly is kept (a busy database, a refused row);
        one that cannot (the server went away) is dropped and the next ``run`` opens a fresh one."""
        try:
            self._connection.rollback()
        except Exception as exc:
            log.debug("dropping a failed store connection: %s", exc)
            connection, self._connection = self._connection, None
            try:
                connection.close()
            except Exception as close_exc:
                log.debug("closing a failed store connection: %s", close_exc)

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def insert_ignoring_duplicates(raw: RawConnection, table: str, columns: Sequence[str]) -> str:
    """``INSERT`` that skips rows whose key exists already (SQLite and PostgreSQL spell it the same)."""
    return f"{insert_rows(raw, table, columns)} ON CONFLICT DO NOTHING"


def insert_rows(raw: RawConnection, table: str, columns: Sequence[str]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({raw.placeholders(len(columns))})"


def chunks(items: Sequence[T], size: int) -> Iterable[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
