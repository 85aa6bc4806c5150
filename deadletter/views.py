"""What the CLI (``--json``) and the admin API show of dead letters."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

Item = TypeVar("Item")


class Summary(BaseModel):
    id: int
    status: str
    failed_at: datetime
    route: str | None
    type: str | None
    reason: str
    error_class: str
    error_message: str
    fingerprint: str
    attempts: int
    message_id: str | None
    correlation_id: str | None
    business_keys: dict[str, str]
    edited: bool
    replays: int


class AttemptView(BaseModel):
    attempt: int
    error_class: str
    error_message: str
    failed_at: datetime | None


class AuditEntry(BaseModel):
    at: datetime
    actor: str
    action: str
    reason: str | None
    details: dict[str, Any] | None


class Detail(Summary):
    plant: str | None
    schema_version: int | None
    routing_key: str
    shape: str
    parked_at: datetime
    status_at: datetime
    properties: dict[str, Any]
    headers: dict[str, Any]
    payload: Any
    """The payload a replay sends: the edited one if edited (JSON, or text if it is not JSON)."""
    original_payload: Any | None
    """The payload as it was dead-lettered, when it has been edited since."""
    attempt_history: list[AttemptView]
    audit: list[AuditEntry]


class Group(BaseModel):
    fingerprint: str
    count: int
    route: str | None
    error_class: str
    shape: str
    sample_id: int
    sample_error: str
    first_failed_at: datetime
    last_failed_at: datetime


class Page(BaseModel, Generic[Item]):
    items: list[Item]
    page: int
    page_size: int
    total: int
