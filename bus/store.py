"""The bus's relational store: SQLite by default, PostgreSQL in production (``ESB_DATABASE_URL``)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Column, DateTime, Engine, MetaData, PrimaryKeyConstraint, String, Table, create_engine, event

metadata = MetaData()

delivered = Table(
    "esb_delivered",
    metadata,
    Column("route", String(80), nullable=False),
    Column("message_id", String(36), nullable=False),
    Column("delivered_at", DateTime(timezone=True), nullable=False, index=True),
    PrimaryKeyConstraint("route", "message_id", name="pk_esb_delivered"),
)


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    # WAL lets several `esb run` processes on one host share the file; NORMAL is durable in WAL mode
    # except for the last transactions on power loss, which redelivery covers.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def create_store_engine(url: str) -> Engine:
    """An engine for ``url``, with the schema created if missing."""
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    metadata.create_all(engine)
    return engine
