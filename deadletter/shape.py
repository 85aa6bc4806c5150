"""Failure fingerprints: dead letters that failed the same way on the same route share one.

The shape of an error message is the message with what varies from one message to the next masked:
quoted values, UUIDs, timestamps, URLs' hosts and ports, and every number (so ``order 4711`` and
``order 4712`` look alike). Fingerprint = route + error class + shape, hashed short enough to type.
"""

from __future__ import annotations

import hashlib
import re

_MASKS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"'[^']*'|\"[^\"]*\"|`[^`]*`"), "<v>"),
    (re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b"), "<uuid>"),
    (re.compile(r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?"), "<time>"),
    (re.compile(r"\b(https?|sftp|amqps?)://[^/\s:]+(:\d+)?"), r"\1://<host>"),
    (re.compile(r"\b(?=[0-9a-fA-F]*\d)(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{6,}\b"), "<hex>"),
    (re.compile(r"\d+(\.\d+)?"), "<n>"),
    (re.compile(r"\s+"), " "),
)
SHAPE_LIMIT = 500


def message_shape(message: str) -> str:
    """The error message with ids, numbers and quoted values masked."""
    shape = message
    for pattern, mask in _MASKS:
        shape = pattern.sub(mask, shape)
    return shape.strip()[:SHAPE_LIMIT]


def fingerprint(route: str | None, error_class: str, shape: str) -> str:
    """12 hex digits naming the failure kind: the same for every message that failed like this on the route."""
    text = f"{route or '-'}\x1f{error_class}\x1f{shape}"
    return hashlib.sha256(text.encode()).hexdigest()[:12]
