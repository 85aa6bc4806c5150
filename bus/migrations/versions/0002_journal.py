"""The message journal (``esb trace``).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "esb_journal",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event", sa.String(32), nullable=False),
        sa.Column("message_id", sa.String(36), nullable=False),
        sa.Column("correlation_id", sa.String(128), nullable=False),
        sa.Column("message_type", sa.String(128), nullable=False),
        sa.Column("route", sa.String(80)),
        sa.Column("system", sa.String(64)),
        sa.Column("detail", sa.String(500)),
    )
    for column in ("at", "message_id", "correlation_id"):
        op.create_index(f"ix_esb_journal_{column}", "esb_journal", [column])


def downgrade() -> None:
    op.drop_table("esb_journal")
