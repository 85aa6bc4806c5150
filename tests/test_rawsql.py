"""The hot-path store connection: a connection whose settings fail is closed, not left open."""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path

import pytest

from bus.rawsql import RawConnection, StoreBusy, sqlite_writer_lock
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


def test_the_writers_of_one_process_share_one_lock_per_sqlite_file(sqlite_url, tmp_path):
    first, second = create_store_engine(sqlite_url), create_store_engine(sqlite_url)
    elsewhere = create_store_engine(f"sqlite:///{tmp_path}/other.sqlite3")
    assert sqlite_writer_lock(first) is sqlite_writer_lock(second)
    assert sqlite_writer_lock(elsewhere) is not sqlite_writer_lock(first)
    assert sqlite_writer_lock(create_store_engine("sqlite://")) is None


def test_a_writer_that_may_not_wait_is_told_busy_while_readers_go_ahead(sqlite_url):
    engine = create_store_engine(sqlite_url)
    raw = RawConnection(engine, ("busy_timeout=0",), wait_for_writers=False)
    writers = sqlite_writer_lock(engine)
    assert writers is not None
    try:
        with writers:
            with pytest.raises(StoreBusy):
                raw.run(lambda cursor: cursor.execute("CREATE TABLE t (x)"))
            assert raw.run(lambda cursor: cursor.execute("SELECT 1").fetchone()[0], writes=False) == 1
        raw.run(lambda cursor: cursor.execute("CREATE TABLE t (x)"))
    finally:
        raw.close()


def test_a_waiting_writer_goes_in_once_the_process_lock_is_released(sqlite_url):
    engine = create_store_engine(sqlite_url)
    raw = RawConnection(engine)
    writers = sqlite_writer_lock(engine)
    assert writers is not None
    try:
        with writers:
            writer = threading.Thread(target=raw.run, args=(lambda cursor: cursor.execute("CREATE TABLE t (x)"),))
            writer.start()
            writer.join(timeout=0.3)
            assert writer.is_alive(), "the writer should wait for the lock"
        writer.join(timeout=10)
        assert not writer.is_alive()
        assert raw.run(lambda cursor: cursor.execute("SELECT count(*) FROM t").fetchone()[0], writes=False) == 0
    finally:
        raw.close()
