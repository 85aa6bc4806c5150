"""The ``edifact`` decoder: a whole file decoded or rejected as one, for adapters without acknowledgements.

Adapters that acknowledge (CONTRL) and accept files in part use :class:`EdifactReading` directly.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from transformers.decoding import Decoded, DecodeFailed, decoder
from transformers.edifact.errors import EdifactError
from transformers.edifact.reading import EdifactReading

_REASONS_SHOWN = 5


@decoder("edifact")
def decode_edifact(stream: BinaryIO) -> Iterator[Decoded]:
    """Every DESADV and ORDERS message of the file; :class:`DecodeFailed` when anything in it is rejected."""
    reading = EdifactReading(stream)
    try:
        outcomes = reading.check()
    except EdifactError as exc:
        raise DecodeFailed(str(exc)) from exc
    reasons = [reason for outcome in outcomes for reason in outcome.reasons]
    if reasons:
        more = f" (and {len(reasons) - _REASONS_SHOWN} more)" if len(reasons) > _REASONS_SHOWN else ""
        raise DecodeFailed("; ".join(reasons[:_REASONS_SHOWN]) + more)
    yield from reading.messages()
