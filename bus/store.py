"""The bus's relational store: SQLite by default, PostgreSQL in production (``ESB_DATABASE_URL``)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Engine,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    create_engine,
    event,
)

metadata = MetaData()

delivered = Table(
    "esb_delivered",
    metadata,
    Column("route", String(80), nullable=False),
    Column("message_id", String(36), nullable=False),
    Column("delivered_at", DateTime(timezone=True), nullable=False, index=True),
    PrimaryKeyConstraint("route", "message_id", name="pk_esb_delivered"),
)

inbound_files = Table(
    "esb_inbound_files",
    metadata,
    Column("route", String(80), nullable=False),
    Column("digest", String(64), nullable=False, comment="SHA-256 of the file's content"),
    Column("name", String(255), nullable=False),
    Column("size", Integer, nullable=False),
    Column("messages", Integer, nullable=False),
    Column("ingested_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("route", "digest", name="pk_esb_inbound_files"),
)
"""Files an inbound adapter has ingested (messages confirmed): the same content is never ingested twice."""

inbound_claims = Table(
    "esb_inbound_claims",
    metadata,
    Column("claim", String(255), primary_key=True, comment="e.g. an EDI partner's interchange control number"),
    Column("route", String(80), nullable=False),
    Column("digest", String(64), nullable=False),
    Column("claimed_at", DateTime(timezone=True), nullable=False),
)
"""Identifiers a partner must never send twice, recorded with the file that carried them."""

sequences = Table(
    "esb_sequences",
    metadata,
    Column("name", String(255), primary_key=True),
    Column("value", Integer, nullable=False),
)
"""Counters that must survive restarts, e.g. the control numbers of acknowledgements sent to a partner."""

journal = Table(
    "esb_journal",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
    Column("event", String(32), nullable=False),
    Column("message_id", String(36), nullable=False, index=True),
    Column("correlation_id", String(128), nullable=False, index=True),
    Column("message_type", String(128), nullable=False),
    Column("route", String(80)),
    Column("system", String(64)),
    Column("detail", String(500)),
    Column("received_at", DateTime(timezone=True)),
)
"""Each message's life, for ``esb trace``. A row with ``received_at`` also tells that the route received the message
then (the two events of most deliveries in one row)."""


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    # First, so that switching to WAL waits as long as any statement for a process starting beside this one
    # (the driver's own default is 5 s).
    cursor.execute("PRAGMA busy_timeout=10000")
    # WAL lets several `esb run` processes on one host share the file; NORMAL is durable in WAL mode
    # except for the last transactions on power loss, which redelivery covers.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_store_engine(url: str, *, migrate: bool = True) -> Engine:
    """An engine for ``url``, with the schema brought up to date (the migrations of ``esb db upgrade``)."""
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    if migrate:
        from bus.migrate import upgrade  # imported here: the migrations import this module's tables

        upgrade(engine)
    return engine
