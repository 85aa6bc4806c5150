"""Edits of a parked payload: a JSON Patch, then validation against the message's canonical type."""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from bus.canonical import UnknownMessageType, model_for
from deadletter.errors import Refused
from deadletter.jsonpatch import JsonPatchError, apply_patch


def patched_payload(message_type: str | None, schema_version: int | None, body: bytes, patch: Any) -> bytes:
    """The payload after ``patch``, as canonical JSON; ``Refused`` says why an edit cannot be kept."""
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise Refused("the payload is not JSON, so a JSON Patch cannot apply to it") from None
    try:
        patched = apply_patch(document, patch)
    except JsonPatchError as exc:
        raise Refused(f"the patch does not apply: {exc}") from None
    if not message_type:
        raise Refused("the dead letter has no message type to check the edited payload against")
    try:
        model = model_for(message_type, schema_version)
    except UnknownMessageType as exc:
        raise Refused(str(exc)) from None
    try:
        payload = model.model_validate(patched)
    except ValidationError as exc:
        errors = [{"field": ".".join(map(str, e["loc"])) or "(payload)", "message": e["msg"]} for e in exc.errors()]
        listed = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        raise Refused(
            f"the edited payload is not a valid {message_type} (v{model.schema_version}): {listed}", errors
        ) from None
    return payload.model_dump_json().encode()
