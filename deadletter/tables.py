"""The parking store's tables, on the bus's ``metadata`` so one migration history covers the whole store."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator

from bus.moments import in_utc
from bus.store import metadata


class UtcDateTime(TypeDecorator[datetime]):
    """Stored in UTC, always read back timezone-aware (SQLite keeps no offset of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:  # type: ignore[no-untyped-def]
        if value is None:
            return None
        return in_utc(value)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:  # type: ignore[no-untyped-def]
        if value is None:
            return None
        return in_utc(value)


def _parent(table: str) -> ForeignKey:
    return ForeignKey("esb_deadletters.id", ondelete="CASCADE", name=f"fk_{table}_deadletter")


deadletters = Table(
    "esb_deadletters",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("dedupe_key", String(64), nullable=False, comment="one row per failure of a message"),
    Column("message_id", String(64), index=True),
    Column("correlation_id", String(128), index=True),
    Column("message_type", String(128), index=True),
    Column("schema_version", Integer),
    Column("plant", String(32)),
    Column("route", String(80), index=True, comment="null when no route took the message (unroutable)"),
    Column("routing_key", String(255), nullable=False),
    Column("reason", String(32), nullable=False, comment="rejected, exhausted, invalid, unroutable, ..."),
    Column("error_class", String(128), nullable=False),
    Column("error_message", Text, nullable=False),
    Column("fingerprint", String(16), nullable=False, index=True, comment="route + error class + message shape"),
    Column("shape", Text, nullable=False, comment="the error message with ids, numbers and quoted values masked"),
    Column("attempts", Integer, nullable=False),
    Column("failed_at", UtcDateTime, nullable=False, index=True),
    Column("parked_at", UtcDateTime, nullable=False),
    Column("status", String(16), nullable=False, index=True, comment="parked, replayed or discarded"),
    Column("status_at", UtcDateTime, nullable=False),
    Column("replays", Integer, nullable=False),
    Column("body", LargeBinary, nullable=False, comment="the payload as it was dead-lettered"),
    Column("edited_body", LargeBinary, comment="the payload after edits; replays send this one"),
    Column("properties", JSON, nullable=False),
    Column("headers", JSON, nullable=False),
    UniqueConstraint("dedupe_key", name="uq_esb_deadletters_dedupe_key"),
)

deadletter_attempts = Table(
    "esb_deadletter_attempts",
    metadata,
    Column("deadletter_id", Integer, _parent("esb_deadletter_attempts"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("error_class", String(128), nullable=False),
    Column("error_message", Text, nullable=False),
    Column("failed_at", UtcDateTime),
    PrimaryKeyConstraint("deadletter_id", "seq", name="pk_esb_deadletter_attempts"),
)
"""Every failed delivery before the message was parked, from the ``x-esb-errors`` history."""

deadletter_keys = Table(
    "esb_deadletter_keys",
    metadata,
    Column("deadletter_id", Integer, _parent("esb_deadletter_keys"), nullable=False),
    Column("name", String(64), nullable=False),
    Column("value", String(255), nullable=False, index=True),
    PrimaryKeyConstraint("deadletter_id", "name", name="pk_esb_deadletter_keys"),
)
"""Business keys of the payload (order number, ASN number, ...), what people search dead letters by."""

deadletter_audit = Table(
    "esb_deadletter_audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "deadletter_id",
        Integer,
        _parent("esb_deadletter_audit"),
        nullable=False,
        index=True,
    ),
    Column("action", String(16), nullable=False, comment="replay, edit or discard"),
    Column("actor", String(128), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("reason", Text),
    Column("details", JSON),
)
"""Who did what to a dead letter, when and why."""
