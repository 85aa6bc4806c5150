"""Schema migrations of the store with Alembic: ``esb db upgrade`` applies them, and so does every start.

Several processes may start at once against one store: upgrades are serialised (a PostgreSQL advisory lock,
a lock file beside a SQLite file), and the second process finds the schema already current.
"""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

from bus.errors import ConfigurationError
from bus.rawsql import is_sqlite_file

log = logging.getLogger(__name__)
logging.getLogger("alembic").setLevel(logging.WARNING)  # its per-connection chatter; upgrades are logged here

MIGRATIONS = Path(__file__).parent / "migrations"
_PG_LOCK_KEY = 0x657362_6462  # "esbdb": one advisory lock id for schema upgrades


class SchemaTooNew(ConfigurationError):
    """The store was migrated by a newer release than this one."""


@dataclass(frozen=True)
class Upgrade:
    before: str | None
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None, "no migrations packaged"
    return head


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _check_known(revision: str | None) -> None:
    if revision is None:
        return
    known = {script.revision for script in ScriptDirectory.from_config(_config()).walk_revisions()}
    if revision not in known:
        raise SchemaTooNew(
            f"the store's schema is at revision {revision}, which this release does not know: "
            "a newer release has upgraded it. Run that release (or restore a backup taken before the upgrade)."
        )


@contextmanager
def _sqlite_file_lock(engine: Engine) -> Iterator[None]:
    if not is_sqlite_file(engine):
        yield
        return
    with open(f"{engine.url.database}.migrate-lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def upgrade(engine: Engine) -> Upgrade:
    """Bring the store to the newest schema; a store already there is left alone (cheaply)."""
    head = head_revision()
    with engine.connect() as connection:
        before = current_revision(connection)
    _check_known(before)
    if before == head:
        return Upgrade(before, head)
    with _sqlite_file_lock(engine), engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
        before = current_revision(connection)
        command.upgrade(_config(connection), "head")
    if before != head:
        log.info("store schema upgraded from %s to %s", before or "empty", head)
    return Upgrade(before, head)
