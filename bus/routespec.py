"""The route file model: what an integration team writes in ``routes/<name>.yaml``."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from bus.canonical import known_types
from bus.durations import Duration, format_duration
from bus.filters import RouteFilter

ROUTE_NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,79}$"


class RouteState(StrEnum):
    ACTIVE = "active"
    SHADOW = "shadow"
    DISABLED = "disabled"
    RETIRED = "retired"


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _known_type(message_type: str) -> str:
    known = known_types()
    if message_type not in known:
        raise ValueError(f"unknown message type {message_type!r}; known: {', '.join(known)}")
    return message_type


KnownType = Annotated[str, AfterValidator(_known_type)]


class SourceSpec(_Spec):
    types: list[KnownType] = Field(min_length=1, description="Canonical message types this route receives")
    plants: list[str] = Field(default_factory=lambda: ["*"], min_length=1, description="Plant codes, or * for all")

    @field_validator("plants")
    @classmethod
    def _plant_words(cls, plants: list[str]) -> list[str]:
        for plant in plants:
            if plant != "*" and not plant.replace("-", "").replace("_", "").isalnum():
                raise ValueError(f"plant {plant!r} must be a plant code or *")
        return plants

    def binding_keys(self) -> list[str]:
        return [f"{t}.{p}" for t in self.types for p in self.plants]


class RetrySpec(_Spec):
    attempts: int = Field(default=5, ge=1, le=100, description="Deliveries in all, the first included")
    backoff: list[Duration] = Field(
        default_factory=lambda: [1.0, 5.0, 30.0, 120.0, 600.0],
        min_length=1,
        description="Delay before each retry; the last one repeats",
    )

    def delay_before(self, attempt: int) -> float:
        """The delay before delivery ``attempt`` (2 for the first retry)."""
        return self.backoff[min(attempt - 2, len(self.backoff) - 1)]

    def tiers(self) -> list[str]:
        return [format_duration(delay) for delay in self.backoff]


class TargetSpec(_Spec):
    adapter: str = Field(description="Registered adapter name, e.g. rest")
    settings: dict[str, Any] = Field(default_factory=dict, description="The adapter's own settings")


class InboundSpec(_Spec):
    adapter: str = Field(description="Registered inbound adapter name, e.g. sftp or soap")
    system: str = Field(
        min_length=1, max_length=64, description="The sending system, stamped on every envelope, e.g. SAP-PRD"
    )
    settings: dict[str, Any] = Field(default_factory=dict, description="The adapter's own settings")


class RouteSpec(_Spec):
    """One route: which messages, which filter and map, which target, how failures are retried."""

    name: str = Field(pattern=ROUTE_NAME_PATTERN)
    interface: str = Field(min_length=1, description="The legacy interface id this route serves, e.g. ERP-MES-001")
    description: str = ""
    state: RouteState = RouteState.ACTIVE
    inbound: list[InboundSpec] = Field(
        default_factory=list, description="Where the legacy system's documents come in (file drops, SOAP endpoints)"
    )
    source: SourceSpec
    filter: str | None = Field(default=None, description="Filter expression over the envelope")
    transform: str = Field(default="canonical.json", description="Registered transformer name")
    target: TargetSpec
    retry: RetrySpec = Field(default_factory=RetrySpec)
    ordered: bool = Field(default=False, description="One message at a time, in queue order (single active consumer)")
    idempotency: bool = True
    queue_type: Literal["quorum", "classic"] = "quorum"
    prefetch: int | None = Field(default=None, ge=1, le=10_000)

    @field_validator("filter")
    @classmethod
    def _filter_compiles(cls, expression: str | None) -> str | None:
        RouteFilter(expression)
        return expression

    @property
    def queue(self) -> str:
        return f"esb.route.{self.name}"

    @property
    def consumes(self) -> bool:
        return self.state in (RouteState.ACTIVE, RouteState.SHADOW)

    @property
    def ingests(self) -> bool:
        """Whether the route's inbound adapters run: a shadow route leaves its sources to the active route."""
        return self.state in (RouteState.ACTIVE, RouteState.DISABLED)

    @property
    def bound(self) -> bool:
        """Retired routes no longer receive messages; disabled ones buffer them in their queue."""
        return self.state != RouteState.RETIRED
