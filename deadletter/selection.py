"""Which dead letters an operation applies to: the filters of ``esb dlq list`` and bulk replays."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from sqlalchemy import ColumnElement, exists, or_, select

from bus.durations import parse_duration
from deadletter.tables import deadletter_keys, deadletters

_DAY = 86_400.0


def parse_age(value: str | float | int) -> float:
    """Seconds in ``90s``, ``15m``, ``2h``, ``3d`` or ``1w``."""
    if isinstance(value, str) and value.strip()[-1:] in ("d", "w"):
        text = value.strip()
        return parse_duration(text[:-1]) * (_DAY if text.endswith("d") else 7 * _DAY)
    return parse_duration(value)


Age = Annotated[float, BeforeValidator(parse_age)]
Status = Literal["parked", "replayed", "discarded", "all"]


class Selection(BaseModel):
    """Filters; each one given narrows the selection. Without ``status`` only parked dead letters are chosen."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    route: str | None = None
    type: str | None = Field(default=None, description="message type, e.g. production.order.released")
    error: str | None = Field(default=None, description="error class, or a piece of the error message")
    older_than: Age | None = Field(default=None, description="failed longer ago than this (e.g. 2h, 3d)")
    newer_than: Age | None = Field(default=None, description="failed within this (e.g. 30m)")
    correlation_id: str | None = None
    key: str | None = Field(default=None, description="a business key value: order number, ASN number, ...")
    fingerprint: str | None = None
    reason: str | None = Field(default=None, description="rejected, exhausted, invalid, unroutable, ...")
    status: Status = "parked"

    @property
    def narrowed(self) -> bool:
        """Whether any filter but the status is given (bulk replays of everything are asked for explicitly)."""
        return any(value is not None for name, value in self if name != "status")

    def conditions(self, now: datetime | None = None) -> list[ColumnElement[bool]]:
        now = now or datetime.now(UTC)
        table = deadletters.c
        where: list[ColumnElement[bool]] = []
        if self.status != "all":
            where.append(table.status == self.status)
        if self.route is not None:
            where.append(table.route == self.route)
        if self.type is not None:
            where.append(table.message_type == self.type)
        if self.error is not None:
            where.append(
                or_(table.error_class == self.error, table.error_message.contains(self.error, autoescape=True))
            )
        if self.older_than is not None:
            where.append(table.failed_at < now - timedelta(seconds=self.older_than))
        if self.newer_than is not None:
            where.append(table.failed_at >= now - timedelta(seconds=self.newer_than))
        if self.correlation_id is not None:
            where.append(table.correlation_id == self.correlation_id)
        if self.key is not None:
            where.append(
                exists(
                    select(deadletter_keys.c.deadletter_id).where(
                        deadletter_keys.c.deadletter_id == table.id, deadletter_keys.c.value == self.key
                    )
                )
            )
        if self.fingerprint is not None:
            where.append(table.fingerprint == self.fingerprint)
        if self.reason is not None:
            where.append(table.reason == self.reason)
        return where
