"""The envelope: identity, lineage and origin of one canonical message on the bus."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bus.canonical import CanonicalMessage, model_for
from bus.ids import new_message_id
from bus.moments import assume_utc

Identifier = str


def utcnow() -> datetime:
    return datetime.now(UTC)


class Source(BaseModel):
    """Where a message entered the bus: the sending system and the interface it used."""

    model_config = ConfigDict(frozen=True)

    system: str = Field(min_length=1, max_length=64)
    interface: str = Field(min_length=1, max_length=128)


class Envelope(BaseModel):
    """A canonical payload with the metadata every route, log line and trace relies on."""

    model_config = ConfigDict(frozen=True)

    message_id: uuid.UUID = Field(default_factory=new_message_id, description="Idempotency key")
    correlation_id: str = Field(min_length=1, max_length=128, description="One business transaction end to end")
    causation_id: str | None = Field(default=None, max_length=128, description="The message that caused this one")
    type: str
    schema_version: int = Field(ge=1)
    source: Source
    plant: str
    occurred_at: datetime
    published_at: datetime | None = None
    payload: CanonicalMessage

    @field_validator("occurred_at", "published_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        return assume_utc(value) if value is not None else None

    @classmethod
    def wrap(
        cls,
        payload: CanonicalMessage,
        source: Source,
        *,
        message_id: uuid.UUID | None = None,
        correlation_id: str | None = None,
        causation_id: str | None = None,
        occurred_at: datetime | None = None,
    ) -> Envelope:
        """Envelope a payload; a new transaction's correlation id is its first message id."""
        message_id = message_id or new_message_id()
        return cls(
            message_id=message_id,
            correlation_id=correlation_id or str(message_id),
            causation_id=causation_id,
            type=payload.message_type,
            schema_version=payload.schema_version,
            source=source,
            plant=payload.plant,
            occurred_at=occurred_at or utcnow(),
            payload=payload,
        )

    @property
    def routing_key(self) -> str:
        return f"{self.type}.{self.plant}"

    def payload_json(self) -> bytes:
        return self.payload.model_dump_json().encode()

    def filter_view(self) -> dict[str, Any]:
        """The envelope as plain data, the namespace route filters read."""
        data = self.model_dump(mode="json", exclude={"payload"})
        data["payload"] = self.payload.model_dump()  # numbers stay numbers for comparisons
        return data

    def with_published_at(self, when: datetime | None = None) -> Envelope:
        return self.model_copy(update={"published_at": when or utcnow()})


def parse_payload(
    message_type: str, schema_version: int | None, data: bytes | str | dict[str, Any]
) -> CanonicalMessage:
    """Validate a payload against its canonical model (raises pydantic ``ValidationError``)."""
    model = model_for(message_type, schema_version)
    if isinstance(data, dict):
        return model.model_validate(data)
    return model.model_validate_json(data)
