"""Changing dead letters: every change is conditional on the dead letter still being parked, and audited."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from bus.journal import Event
from bus.store import journal
from deadletter.errors import Conflict, NotFound
from deadletter.parking import DISCARDED, PARKED, REPLAYED
from deadletter.tables import deadletter_audit, deadletters


def audit(
    connection: Connection,
    deadletter_id: int,
    action: str,
    actor: str,
    reason: str | None,
    details: dict[str, Any] | None = None,
) -> None:
    connection.execute(
        insert(deadletter_audit).values(
            deadletter_id=deadletter_id,
            action=action,
            actor=actor,
            at=datetime.now(UTC),
            reason=reason,
            details=details,
        )
    )


def check_parked(connection: Connection, deadletter_id: int, action: str) -> None:
    """Raise ``NotFound`` or ``Conflict`` unless the dead letter is parked."""
    status = connection.execute(select(deadletters.c.status).where(deadletters.c.id == deadletter_id)).scalar()
    if status is None:
        raise NotFound(f"no dead letter {deadletter_id}")
    if status != PARKED:
        raise Conflict(f"dead letter {deadletter_id} is {status}; only parked dead letters can be {action}")


def _set(connection: Connection, deadletter_id: int, action: str, **values: Any) -> None:
    """Update a parked dead letter; refuse (``NotFound``/``Conflict``) if it is missing or no longer parked."""
    result = connection.execute(
        update(deadletters).where(deadletters.c.id == deadletter_id, deadletters.c.status == PARKED).values(**values)
    )
    if result.rowcount == 0:
        check_parked(connection, deadletter_id, action)


def save_edit(connection: Connection, deadletter_id: int, body: bytes, patch: Any, actor: str, reason: str) -> None:
    _set(connection, deadletter_id, "edited", edited_body=body)
    audit(connection, deadletter_id, "edit", actor, reason, {"patch": patch})


def discard(connection: Connection, deadletter_id: int, actor: str, reason: str) -> None:
    now = datetime.now(UTC)
    _set(connection, deadletter_id, "discarded", status=DISCARDED, status_at=now)
    audit(connection, deadletter_id, "discard", actor, reason)


def mark_replayed(
    connection: Connection,
    deadletter_id: int,
    actor: str,
    reason: str | None,
    details: dict[str, Any],
    *,
    sent_at: datetime | None = None,
) -> bool:
    """False if someone else replayed or discarded it meanwhile (the republished copy is absorbed downstream)."""
    result = connection.execute(
        update(deadletters)
        .where(deadletters.c.id == deadletter_id, deadletters.c.status == PARKED)
        .values(status=REPLAYED, status_at=datetime.now(UTC), replays=deadletters.c.replays + 1)
    )
    audit(connection, deadletter_id, "replay", actor, reason, details)
    _journal_replay(connection, deadletter_id, actor, sent_at or datetime.now(UTC))
    return result.rowcount == 1


def _journal_replay(connection: Connection, deadletter_id: int, actor: str, at: datetime) -> None:
    """The replay as the message's journal shows it (``esb trace``), in the same transaction."""
    row = connection.execute(
        select(
            deadletters.c.message_id, deadletters.c.correlation_id, deadletters.c.message_type, deadletters.c.route
        ).where(deadletters.c.id == deadletter_id)
    ).one()
    if row.message_id and row.correlation_id:
        connection.execute(
            insert(journal).values(
                at=at,
                event=Event.REPLAYED.value,
                message_id=row.message_id,
                correlation_id=row.correlation_id,
                message_type=row.message_type or "unknown",
                route=row.route,
                detail=f"dead letter {deadletter_id} replayed by {actor}",
            )
        )
