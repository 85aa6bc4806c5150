"""The hot-path store connection: a connection whose settings fail is closed, not left open."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from bus.rawsql import RawConnection
from bus.store import create_store_engine


def _open_files(path: Path) -> int:
    """How many of this process's file descriptors point at ``path``."""
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{fd}") == str(path):
                count += 1
        except OSError:
            continue
    return count


def test_a_connection_whose_pragma_fails_is_closed(sqlite_url):
    engine = create_store_engine(sqlite_url)
    database = Path(sqlite_url.removeprefix("sqlite:///")).resolve()
    engine.dispose()
    before = _open_files(database)
    raw = RawConnection(engine, ("busy_timeout=0", "no such setting at all"))
    with pytest.raises(sqlite3.OperationalError):
        raw.run(lambda cursor: cursor.execute("SELECT 1"))
    assert _open_files(database) == before


def test_a_connection_with_its_pragmas_runs_work_in_a_transaction(sqlite_url):
    engine = create_store_engine(sqlite_url)
    raw = RawConnection(engine, ("busy_timeout=0",))
    try:
        assert raw.run(lambda cursor: cursor.execute("PRAGMA busy_timeout").fetchone()[0]) == 0
    finally:
        raw.close()
