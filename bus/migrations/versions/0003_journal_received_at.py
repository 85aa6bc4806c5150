"""Journal rows that carry a message's receipt with its outcome (``received_at``).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("esb_journal", sa.Column("received_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    with op.batch_alter_table("esb_journal") as batch:
        batch.drop_column("received_at")
