"""Generic transformers: the canonical payload or the whole envelope as JSON."""

from __future__ import annotations

import json

from bus.envelope import Envelope
from transformers.registry import Document, transformer


@transformer("canonical.json")
def canonical_json(envelope: Envelope) -> Document:
    """The canonical payload unchanged, as JSON."""
    return Document(body=envelope.payload_json(), name=f"{envelope.type}-{envelope.message_id}.json")


@transformer("envelope.json")
def envelope_json(envelope: Envelope) -> Document:
    """The whole envelope (metadata and payload) as JSON, for targets that want the lineage too."""
    body = json.dumps(envelope.model_dump(mode="json", serialize_as_any=True), separators=(",", ":")).encode()
    return Document(body=body, name=f"{envelope.type}-{envelope.message_id}.json")
