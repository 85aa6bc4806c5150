"""``canonical.jsonl``: files of canonical messages, one JSON object per line.

For modern systems that drop files rather than call an API. Each non-empty line is
``{"type": "production.order.released", "payload": {...}}`` with optional ``schema_version``,
``correlation_id`` and ``occurred_at``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import BinaryIO

from pydantic import ValidationError

from bus.canonical import UnknownMessageType
from bus.envelope import parse_payload
from transformers.decoding import Decoded, DecodeFailed, decoder

MAX_LINE_BYTES = 16 * 1024 * 1024


def _line(number: int, raw: bytes) -> Decoded:
    where = f"line {number}"
    try:
        record = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise DecodeFailed(f"not JSON: {exc}", location=where) from None
    if not isinstance(record, dict) or not isinstance(record.get("type"), str) or "payload" not in record:
        raise DecodeFailed('expected {"type": ..., "payload": {...}}', location=where)
    try:
        payload = parse_payload(record["type"], record.get("schema_version"), record["payload"])
        occurred_at = datetime.fromisoformat(record["occurred_at"]) if record.get("occurred_at") else None
    except UnknownMessageType as exc:
        raise DecodeFailed(str(exc), location=where) from None
    except ValidationError as exc:
        details = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:5])
        raise DecodeFailed(f"invalid {record['type']}: {details}", location=where) from None
    except (TypeError, ValueError) as exc:
        raise DecodeFailed(f"occurred_at: {exc}", location=where) from None
    return Decoded(
        payload=payload,
        reference=f"line {number}",
        correlation_id=str(record["correlation_id"]) if record.get("correlation_id") is not None else None,
        occurred_at=occurred_at,
    )


@decoder("canonical.jsonl")
def decode_json_lines(stream: BinaryIO) -> Iterator[Decoded]:
    for number, raw in enumerate(iter(lambda: stream.readline(MAX_LINE_BYTES + 1), b""), start=1):
        if len(raw) > MAX_LINE_BYTES:
            raise DecodeFailed(f"longer than {MAX_LINE_BYTES} bytes", location=f"line {number}")
        if raw.strip():
            yield _line(number, raw)
