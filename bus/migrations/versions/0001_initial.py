"""The bus tables and the dead-letter parking store.

Stores created before migrations existed already hold some of the bus tables: those are kept as they are,
only the missing tables are created, so such a store is adopted without losing its records.

Revision ID: 0001
Revises:
Create Date: 2026-05-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

UTC_TIME = sa.DateTime(timezone=True)


def _missing(name: str) -> bool:
    return not sa.inspect(op.get_bind()).has_table(name)


def _bus_tables() -> None:
    if _missing("esb_delivered"):
        op.create_table(
            "esb_delivered",
            sa.Column("route", sa.String(80), nullable=False),
            sa.Column("message_id", sa.String(36), nullable=False),
            sa.Column("delivered_at", UTC_TIME, nullable=False),
            sa.PrimaryKeyConstraint("route", "message_id", name="pk_esb_delivered"),
        )
        op.create_index("ix_esb_delivered_delivered_at", "esb_delivered", ["delivered_at"])
    if _missing("esb_inbound_files"):
        op.create_table(
            "esb_inbound_files",
            sa.Column("route", sa.String(80), nullable=False),
            sa.Column("digest", sa.String(64), nullable=False, comment="SHA-256 of the file's content"),
            sa.Column("name", sa.String(255), nullable=False),
            sa.Column("size", sa.Integer, nullable=False),
            sa.Column("messages", sa.Integer, nullable=False),
            sa.Column("ingested_at", UTC_TIME, nullable=False),
            sa.PrimaryKeyConstraint("route", "digest", name="pk_esb_inbound_files"),
        )
    if _missing("esb_inbound_claims"):
        op.create_table(
            "esb_inbound_claims",
            sa.Column(
                "claim", sa.String(255), primary_key=True, comment="e.g. an EDI partner's interchange control number"
            ),
            sa.Column("route", sa.String(80), nullable=False),
            sa.Column("digest", sa.String(64), nullable=False),
            sa.Column("claimed_at", UTC_TIME, nullable=False),
        )
    if _missing("esb_sequences"):
        op.create_table(
            "esb_sequences",
            sa.Column("name", sa.String(255), primary_key=True),
            sa.Column("value", sa.Integer, nullable=False),
        )


def _deadletter_child(table: str) -> sa.Column:
    return sa.Column(
        "deadletter_id",
        sa.Integer,
        sa.ForeignKey("esb_deadletters.id", ondelete="CASCADE", name=f"fk_{table}_deadletter"),
        nullable=False,
    )


def _deadletter_tables() -> None:
    op.create_table(
        "esb_deadletters",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("dedupe_key", sa.String(64), nullable=False, comment="one row per failure of a message"),
        sa.Column("message_id", sa.String(64)),
        sa.Column("correlation_id", sa.String(128)),
        sa.Column("message_type", sa.String(128)),
        sa.Column("schema_version", sa.Integer),
        sa.Column("plant", sa.String(32)),
        sa.Column("route", sa.String(80), comment="null when no route took the message (unroutable)"),
        sa.Column("routing_key", sa.String(255), nullable=False),
        sa.Column("reason", sa.String(32), nullable=False, comment="rejected, exhausted, invalid, unroutable, ..."),
        sa.Column("error_class", sa.String(128), nullable=False),
        sa.Column("error_message", sa.Text, nullable=False),
        sa.Column("fingerprint", sa.String(16), nullable=False, comment="route + error class + message shape"),
        sa.Column(
            "shape", sa.Text, nullable=False, comment="the error message with ids, numbers and quoted values masked"
        ),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("failed_at", UTC_TIME, nullable=False),
        sa.Column("parked_at", UTC_TIME, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, comment="parked, replayed or discarded"),
        sa.Column("status_at", UTC_TIME, nullable=False),
        sa.Column("replays", sa.Integer, nullable=False),
        sa.Column("body", sa.LargeBinary, nullable=False, comment="the payload as it was dead-lettered"),
        sa.Column("edited_body", sa.LargeBinary, comment="the payload after edits; replays send this one"),
        sa.Column("properties", sa.JSON, nullable=False),
        sa.Column("headers", sa.JSON, nullable=False),
        sa.UniqueConstraint("dedupe_key", name="uq_esb_deadletters_dedupe_key"),
    )
    for column in ("message_id", "correlation_id", "message_type", "route", "fingerprint", "failed_at", "status"):
        op.create_index(f"ix_esb_deadletters_{column}", "esb_deadletters", [column])
    op.create_table(
        "esb_deadletter_attempts",
        _deadletter_child("esb_deadletter_attempts"),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("attempt", sa.Integer, nullable=False),
        sa.Column("error_class", sa.String(128), nullable=False),
        sa.Column("error_message", sa.Text, nullable=False),
        sa.Column("failed_at", UTC_TIME),
        sa.PrimaryKeyConstraint("deadletter_id", "seq", name="pk_esb_deadletter_attempts"),
    )
    op.create_table(
        "esb_deadletter_keys",
        _deadletter_child("esb_deadletter_keys"),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("value", sa.String(255), nullable=False),
        sa.PrimaryKeyConstraint("deadletter_id", "name", name="pk_esb_deadletter_keys"),
    )
    op.create_index("ix_esb_deadletter_keys_value", "esb_deadletter_keys", ["value"])
    op.create_table(
        "esb_deadletter_audit",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _deadletter_child("esb_deadletter_audit"),
        sa.Column("action", sa.String(16), nullable=False, comment="replay, edit or discard"),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("at", UTC_TIME, nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("details", sa.JSON),
    )
    op.create_index("ix_esb_deadletter_audit_deadletter_id", "esb_deadletter_audit", ["deadletter_id"])


def upgrade() -> None:
    _bus_tables()
    _deadletter_tables()


def downgrade() -> None:
    for table in ("esb_deadletter_audit", "esb_deadletter_keys", "esb_deadletter_attempts", "esb_deadletters"):
        op.drop_table(table)
    for table in ("esb_sequences", "esb_inbound_claims", "esb_inbound_files", "esb_delivered"):
        op.drop_table(table)
