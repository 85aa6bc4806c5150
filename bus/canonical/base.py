"""Base class and registry of canonical message types.

Each canonical type is a pydantic model that names its ``message_type`` and ``schema_version``. The registry
maps (type, version) to the model so the bus can validate any payload it carries and export its JSON schema.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, ClassVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    StringConstraints,
    TypeAdapter,
    ValidationError,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticKnownError, core_schema

PlantCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,32}$")]
"""A plant code is one routing-key word: no dots, no wildcards."""

_LIMITED_QUANTITY = TypeAdapter(Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=6)])
"""The quantity limits as pydantic states and checks them: for the values ``_within_limits`` does not accept at once,
and for the JSON schema."""


def _within_limits(value: Decimal) -> Decimal:
    """``value`` if it is at least 0 with at most 12 digits before the point and 6 after it (18 in all).

    pydantic's own check costs a dozen Python calls per value; this one accepts the usual values with four
    cheap ones and hands every other value to pydantic's check, so the values accepted and the errors raised
    stay pydantic's. ``-7 < adjusted() < 12`` means at most 12 digits before the point, and that ``str`` writes
    the value without exponent (unless it is a whole number): then 8 characters or fewer hold at most 6
    decimals (``0.1234567`` has 9), and longer texts are counted.
    """
    if -7 < value.adjusted() < 12 and not value.is_signed():
        text = str(value)
        if len(text) <= 8 or len(text) - text.find(".") <= 7 or "." not in text:
            return value
    try:
        return _LIMITED_QUANTITY.validate_python(value)
    except ValidationError as exc:
        error = exc.errors()[0]
        raise PydanticKnownError(error["type"], error.get("ctx")) from None


class _QuantityLimits:
    """A finite ``Decimal`` (pydantic's check, whatever the model's config says) then ``_within_limits``."""

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_after_validator_function(
            _within_limits, core_schema.decimal_schema(allow_inf_nan=False)
        )

    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        return handler(_LIMITED_QUANTITY.core_schema)


Quantity = Annotated[Decimal, _QuantityLimits()]
"""A finite decimal of at least 0 with at most 18 digits, 6 of them after the point: pydantic's
``Field(ge=0, max_digits=18, decimal_places=6)`` (trailing zeros after the point do not count), checked faster."""
UnitOfMeasure = Annotated[str, StringConstraints(min_length=1, max_length=8)]
Code = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class CanonicalPart(BaseModel):
    """A nested part of a canonical message (an operation, a line, a pack)."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class CanonicalMessage(BaseModel):
    """A business event carried on the bus. Subclasses set ``message_type`` and ``schema_version``."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    message_type: ClassVar[str]
    schema_version: ClassVar[int] = 1
    business_key_fields: ClassVar[tuple[str, ...]] = ()

    plant: PlantCode

    def business_keys(self) -> dict[str, str]:
        """Identifiers people search by (order number, ASN number, ...)."""
        return {name: str(getattr(self, name)) for name in self.business_key_fields}


class UnknownMessageType(LookupError):
    """No canonical model is registered for this type and version."""


_REGISTRY: dict[tuple[str, int], type[CanonicalMessage]] = {}


def register(model: type[CanonicalMessage]) -> type[CanonicalMessage]:
    """Class decorator: make a canonical model known to the bus."""
    key = (model.message_type, model.schema_version)
    if key in _REGISTRY and _REGISTRY[key] is not model:
        raise ValueError(f"canonical type {key} registered twice")
    _REGISTRY[key] = model
    return model


def model_for(message_type: str, schema_version: int | None = None) -> type[CanonicalMessage]:
    """The model of a type; the newest version when ``schema_version`` is None."""
    if schema_version is None:
        versions = [v for (t, v) in _REGISTRY if t == message_type]
        if not versions:
            raise UnknownMessageType(f"unknown message type {message_type!r}; known: {', '.join(known_types())}")
        schema_version = max(versions)
    try:
        return _REGISTRY[(message_type, schema_version)]
    except KeyError:
        raise UnknownMessageType(f"unknown message type {message_type!r} version {schema_version}") from None


def known_types() -> list[str]:
    return sorted({t for (t, _) in _REGISTRY})


def json_schema(message_type: str, schema_version: int | None = None) -> dict[str, Any]:
    model = model_for(message_type, schema_version)
    schema = model.model_json_schema()
    schema["$id"] = f"urn:esb:{model.message_type}:v{model.schema_version}"
    schema["title"] = model.message_type
    schema["x-esb-schema-version"] = model.schema_version
    return schema
