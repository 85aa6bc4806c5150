"""Alembic migrations of the store (bus tables and the dead-letter parking store)."""
