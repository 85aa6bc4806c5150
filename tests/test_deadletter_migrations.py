"""Schema migrations: ``esb db upgrade``, stores from before migrations, a store newer than the release."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, insert, inspect, select, text

import deadletter.tables  # noqa: F401  (the dead-letter tables on the metadata)
from bus.migrate import head_revision
from bus.store import create_store_engine, delivered, inbound_claims, inbound_files, metadata, sequences
from tests.test_dlq_support import esb


async def test_db_upgrade_creates_the_whole_schema_once(database_url, amqp_url):
    first = await esb(amqp_url, database_url, "db", "upgrade")
    assert first.returncode == 0, first.stderr
    assert f"upgraded from empty to {head_revision()}" in first.stdout
    again = await esb(amqp_url, database_url, "db", "upgrade")
    assert again.returncode == 0, again.stderr
    assert f"is up to date ({head_revision()})" in again.stdout
    engine = create_engine(database_url)
    with engine.connect() as connection:
        # the migrated schema is exactly what the code declares: tables, columns, types, indexes, keys
        assert compare_metadata(MigrationContext.configure(connection), metadata) == []
        assert set(metadata.tables) <= set(inspect(connection).get_table_names())
    engine.dispose()


def test_a_store_from_before_migrations_is_adopted_with_its_records(database_url):
    legacy = create_engine(database_url)
    metadata.create_all(legacy, tables=[delivered, inbound_files, inbound_claims, sequences])
    with legacy.begin() as connection:
        connection.execute(insert(delivered).values(route="r", message_id="m-1", delivered_at=datetime.now(UTC)))
    legacy.dispose()
    engine = create_store_engine(database_url)
    with engine.connect() as connection:
        assert connection.execute(select(delivered.c.message_id)).scalars().all() == ["m-1"]
        assert MigrationContext.configure(connection).get_current_revision() == head_revision()
        assert compare_metadata(MigrationContext.configure(connection), metadata) == []
    engine.dispose()


async def test_a_store_upgraded_by_a_newer_release_is_refused(sqlite_url, amqp_url, routes_dir):
    create_store_engine(sqlite_url).dispose()
    engine = create_engine(sqlite_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    for command in (("db", "upgrade"), ("dlq", "list"), ("run", "--routes", str(routes_dir))):
        refused = await esb(amqp_url, sqlite_url, *command)
        assert refused.returncode == 1, (command, refused.stderr)
        assert "revision 9999, which this release does not know" in refused.stderr
        assert "Traceback" not in refused.stderr
