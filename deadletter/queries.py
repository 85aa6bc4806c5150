"""Reading the parking store: pages of dead letters, counts per fingerprint, one dead letter in full."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Row, func, select

from deadletter.selection import Selection
from deadletter.tables import deadletter_attempts, deadletter_audit, deadletter_keys, deadletters
from deadletter.views import AttemptView, AuditEntry, Detail, Group, Page, Summary

MAX_PAGE_SIZE = 1000
_BULKY = ("body", "edited_body", "properties", "headers")
_EDITED = deadletters.c.edited_body.is_not(None).label("edited")


def _keys(connection: Connection, ids: Sequence[int]) -> dict[int, dict[str, str]]:
    found: dict[int, dict[str, str]] = defaultdict(dict)
    if ids:
        query = select(deadletter_keys).where(deadletter_keys.c.deadletter_id.in_(ids))
        for row in connection.execute(query):
            found[row.deadletter_id][row.name] = row.value
    return found


def _summary_fields(row: Row[Any], keys: dict[str, str]) -> dict[str, Any]:
    return {
        "id": row.id,
        "status": row.status,
        "failed_at": row.failed_at,
        "route": row.route,
        "type": row.message_type,
        "reason": row.reason,
        "error_class": row.error_class,
        "error_message": row.error_message,
        "fingerprint": row.fingerprint,
        "attempts": row.attempts,
        "message_id": row.message_id,
        "correlation_id": row.correlation_id,
        "business_keys": keys,
        "edited": row.edited,
        "replays": row.replays,
    }


def count(connection: Connection, selection: Selection) -> int:
    return connection.execute(select(func.count()).select_from(deadletters).where(*selection.conditions())).scalar_one()


def list_page(connection: Connection, selection: Selection, page: int, page_size: int) -> Page[Summary]:
    """Newest failures first."""
    page_size = min(page_size, MAX_PAGE_SIZE)
    columns = [c for c in deadletters.c if c.name not in _BULKY]
    query = (
        select(*columns, _EDITED)
        .where(*selection.conditions())
        .order_by(deadletters.c.failed_at.desc(), deadletters.c.id.desc())
        .limit(page_size)
        .offset((page - 1) * page_size)
    )
    rows = connection.execute(query).all()
    keys = _keys(connection, [row.id for row in rows])
    items = [Summary(**_summary_fields(row, keys[row.id])) for row in rows]
    return Page(items=items, page=page, page_size=page_size, total=count(connection, selection))


def group_page(connection: Connection, selection: Selection, page: int, page_size: int) -> Page[Group]:
    """One line per fingerprint, the biggest group first, with the newest error of the group as a sample."""
    page_size = min(page_size, MAX_PAGE_SIZE)
    table = deadletters.c
    grouped = (
        select(
            table.fingerprint,
            func.count().label("count"),
            func.min(table.failed_at).label("first_failed_at"),
            func.max(table.failed_at).label("last_failed_at"),
            func.max(table.id).label("sample_id"),
        )
        .where(*selection.conditions())
        .group_by(table.fingerprint)
    )
    total = connection.execute(select(func.count()).select_from(grouped.subquery())).scalar_one()
    groups = connection.execute(
        grouped.order_by(func.count().desc(), table.fingerprint).limit(page_size).offset((page - 1) * page_size)
    ).all()
    samples = {
        row.id: row
        for row in connection.execute(
            select(table.id, table.route, table.error_class, table.shape, table.error_message).where(
                table.id.in_([g.sample_id for g in groups])
            )
        )
    }
    items = [
        Group(
            fingerprint=g.fingerprint,
            count=g.count,
            route=samples[g.sample_id].route,
            error_class=samples[g.sample_id].error_class,
            shape=samples[g.sample_id].shape,
            sample_id=g.sample_id,
            sample_error=samples[g.sample_id].error_message,
            first_failed_at=g.first_failed_at,
            last_failed_at=g.last_failed_at,
        )
        for g in groups
    ]
    return Page(items=items, page=page, page_size=page_size, total=total)


def decode_payload(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return body.decode("utf-8", "replace")


def detail(connection: Connection, deadletter_id: int) -> Detail | None:
    row = connection.execute(select(deadletters, _EDITED).where(deadletters.c.id == deadletter_id)).first()
    if row is None:
        return None
    attempts = connection.execute(
        select(deadletter_attempts)
        .where(deadletter_attempts.c.deadletter_id == deadletter_id)
        .order_by(deadletter_attempts.c.seq)
    )
    audit = connection.execute(
        select(deadletter_audit)
        .where(deadletter_audit.c.deadletter_id == deadletter_id)
        .order_by(deadletter_audit.c.id)
    )
    current = row.edited_body if row.edited_body is not None else row.body
    return Detail(
        **_summary_fields(row, _keys(connection, [deadletter_id])[deadletter_id]),
        plant=row.plant,
        schema_version=row.schema_version,
        routing_key=row.routing_key,
        shape=row.shape,
        parked_at=row.parked_at,
        status_at=row.status_at,
        properties=row.properties,
        headers=row.headers,
        payload=decode_payload(current),
        original_payload=decode_payload(row.body) if row.edited_body is not None else None,
        attempt_history=[
            AttemptView(
                attempt=a.attempt, error_class=a.error_class, error_message=a.error_message, failed_at=a.failed_at
            )
            for a in attempts
        ],
        audit=[AuditEntry(at=a.at, actor=a.actor, action=a.action, reason=a.reason, details=a.details) for a in audit],
    )


def selected_ids(connection: Connection, selection: Selection, after_id: int, limit: int) -> list[int]:
    """The next ``limit`` ids of the selection, in id order, after ``after_id`` (for walking bulk operations)."""
    query = (
        select(deadletters.c.id)
        .where(*selection.conditions(), deadletters.c.id > after_id)
        .order_by(deadletters.c.id)
        .limit(limit)
    )
    return list(connection.execute(query).scalars())
