"""MES production confirmation: ``ConfirmOperation`` -> ``production.operation.confirmed``.

The request's elements are the canonical fields in PascalCase (``yield_quantity`` is ``YieldQuantity``),
plus ``ConfirmationId`` and ``CorrelationId``. A ``ConfirmationId`` fixes the message id (a UUID derived from
the sending system and the id), so a call the MES repeats after a timeout or a ``soap:Server`` fault is
delivered once. Without it every call is a new message.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from lxml import etree
from lxml.builder import ElementMaker
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bus.canonical import OperationConfirmed
from bus.envelope import Envelope, Source
from bus.ids import new_message_id
from bus.publisher import PublishOutcome
from legacy_adapters.soap.envelope import Problem, SoapFault, client_fault
from legacy_adapters.soap.services.base import Accepted, SoapService, outcome_status

NS = "urn:esb-bus:production-confirmation:v1"
XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"
CONFIRMATION_NAMESPACE = uuid.UUID("3d0c7e52-8a41-4b7f-9f0e-6c2b1d5a9e17")
"""Namespace of the message ids derived from a sender's ConfirmationId."""

_E = ElementMaker(namespace=NS, nsmap={"tns": NS})


def element_name(field: str) -> str:
    """The request element of a canonical field: ``work_center`` -> ``WorkCenter``."""
    return "".join(part.capitalize() for part in field.split("_"))


class _Control(BaseModel):
    """The request's elements that are not part of the canonical message."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    confirmation_id: str | None = Field(default=None, min_length=1, max_length=128)
    correlation_id: str | None = Field(default=None, min_length=1, max_length=128)


_MODELS: tuple[type[BaseModel], ...] = (OperationConfirmed, _Control)
_FIELD_OF = {element_name(name): (model, name) for model in _MODELS for name in model.model_fields}


def _values(request: etree._Element) -> dict[str, str]:
    """The request's simple values by element name; ``SoapFault`` listing every element that is wrong."""
    values: dict[str, str] = {}
    problems: list[Problem] = []
    for child in request:
        if not isinstance(child.tag, str):
            continue
        qname = etree.QName(child)
        name = qname.localname
        if qname.namespace != NS:
            problems.append(Problem(name, f"the element must be in namespace {NS}"))
        elif name not in _FIELD_OF:
            problems.append(Problem(name, f"unknown element; ConfirmOperation takes {', '.join(_FIELD_OF)}"))
        elif name in values:
            problems.append(Problem(name, "given more than once"))
        elif len(child):
            problems.append(Problem(name, "must hold a value, not elements"))
        elif child.get(XSI_NIL) not in ("true", "1"):
            values[name] = (child.text or "").strip()
    if problems:
        raise _refused(problems)
    return values


def _refused(problems: Sequence[Problem]) -> SoapFault:
    listing = "; ".join(f"{problem.field}: {problem.message}" for problem in problems)
    return client_fault(f"the confirmation was refused: {listing}", problems=problems)


def _validate(values: dict[str, str]) -> tuple[OperationConfirmed, _Control]:
    validated: dict[type[BaseModel], Any] = {}
    problems: list[Problem] = []
    for model in _MODELS:
        data = {field: values[name] for name, (owner, field) in _FIELD_OF.items() if owner is model and name in values}
        try:
            validated[model] = model.model_validate(data)
        except ValidationError as exc:
            for error in exc.errors():
                where = element_name(str(error["loc"][0])) if error["loc"] else "ConfirmOperation"
                problems.append(Problem(where, error["msg"]))
    if problems:
        raise _refused(problems)
    return validated[OperationConfirmed], validated[_Control]


def message_id(source: Source, confirmation_id: str | None) -> uuid.UUID:
    """The message id of a confirmation: fixed by its ConfirmationId, new without one."""
    if confirmation_id is None:
        return new_message_id()
    return uuid.uuid5(CONFIRMATION_NAMESPACE, f"{source.system}:{confirmation_id}")


def confirm_operation(request: etree._Element, source: Source) -> Accepted:
    payload, control = _validate(_values(request))
    envelope = Envelope.wrap(
        payload,
        source,
        message_id=message_id(source, control.confirmation_id),
        correlation_id=control.correlation_id,
        occurred_at=payload.confirmed_at,
    )

    def answer(outcomes: Sequence[PublishOutcome]) -> etree._Element:
        return _E.ConfirmOperationResponse(
            _E.MessageId(str(envelope.message_id)),
            _E.CorrelationId(envelope.correlation_id),
            _E.Status(outcome_status(outcomes[0])),
        )

    return Accepted([envelope], answer)


PRODUCTION_CONFIRMATION = SoapService(
    name="production-confirmation",
    wsdl_file="production-confirmation.wsdl",
    handlers={"ConfirmOperation": confirm_operation},
)
