"""REST inbound: ``POST /api/v1/messages/{type}`` with a canonical payload.

The call is answered 202 only after the broker confirmed the message; a bad payload gets a 4xx
problem+json saying what is wrong, and nothing is published. Optional headers:
``Idempotency-Key`` (a retried call gets the same message id), ``X-Correlation-ID``, ``X-Causation-ID``,
``X-ESB-Source-System``, ``X-ESB-Interface``.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Awaitable, Callable

from aiohttp import web
from pydantic import ValidationError

from bus.canonical import UnknownMessageType, known_types, model_for
from bus.envelope import Envelope, Source
from bus.ids import new_message_id
from bus.metrics import NO_ROUTE, InboundMetrics
from bus.problems import problem
from bus.publisher import PublishFailed, PublishOutcome

log = logging.getLogger(__name__)

IDEMPOTENCY_NAMESPACE = uuid.UUID("6f1b8c1e-4a9e-4c55-9a53-2f4f6d0f3c11")
PublishFn = Callable[[Envelope], Awaitable[PublishOutcome]]


def _message_id(request: web.Request, system: str) -> uuid.UUID:
    key = request.headers.get("Idempotency-Key")
    if not key:
        return new_message_id()
    try:
        return uuid.UUID(key)
    except ValueError:
        return uuid.uuid5(IDEMPOTENCY_NAMESPACE, f"{system}:{key}")


def rest_inbound_routes(publish: PublishFn, max_body_bytes: int) -> list[web.RouteDef]:
    metrics = InboundMetrics(NO_ROUTE, "rest")

    async def accept_message(request: web.Request) -> web.Response:
        message_type = request.match_info["type"]
        try:
            model = model_for(message_type)
        except UnknownMessageType:
            return problem(
                404, "Unknown message type", f"{message_type!r} is not a canonical type", known=known_types()
            )
        if request.content_type != "application/json":
            return problem(415, "Unsupported media type", "send the payload as application/json")
        if request.content_length is not None and request.content_length > max_body_bytes:
            return problem(413, "Payload too large", f"the limit is {max_body_bytes} bytes")
        raw = await request.read()
        metrics.received_bytes(len(raw))
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            return problem(400, "Malformed JSON", str(exc))
        try:
            payload = model.model_validate(data)
        except ValidationError as exc:
            errors = [{"field": ".".join(map(str, e["loc"])) or "(payload)", "message": e["msg"]} for e in exc.errors()]
            return problem(
                422, "Invalid payload", f"{len(errors)} problem(s) in the {message_type} payload", errors=errors
            )
        system = request.headers.get("X-ESB-Source-System", "rest")
        envelope = Envelope.wrap(
            payload,
            Source(system=system, interface=request.headers.get("X-ESB-Interface", f"rest:{message_type}")),
            message_id=_message_id(request, system),
            correlation_id=request.headers.get("X-Correlation-ID"),
            causation_id=request.headers.get("X-Causation-ID"),
        )
        try:
            outcome = await publish(envelope)
        except PublishFailed as exc:
            log.error("REST inbound %s not confirmed: %s", message_type, exc)
            return problem(503, "Broker unavailable", "the message was not accepted; send it again", retry_after=5)
        metrics.published(1)
        return web.json_response(
            {
                "message_id": str(envelope.message_id),
                "correlation_id": envelope.correlation_id,
                "routing_key": envelope.routing_key,
                "status": "accepted" if outcome is PublishOutcome.CONFIRMED else "parked",
            },
            status=202,
        )

    async def list_types(_: web.Request) -> web.Response:
        return web.json_response({"types": known_types()})

    return [
        web.post("/api/v1/messages/{type}", metrics.counting_calls(accept_message)),
        web.get("/api/v1/types", list_types),
    ]
