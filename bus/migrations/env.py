"""Alembic environment: runs on the connection handed over by ``bus.migrate.upgrade``."""

from __future__ import annotations

from alembic import context

import deadletter.tables  # noqa: F401  (puts the dead-letter tables on the metadata)
from bus.store import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with 'esb db upgrade'; they need the store's connection")

context.configure(connection=connection, target_metadata=metadata, render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
