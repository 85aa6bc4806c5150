"""The transaction sets this codec reads into canonical messages, by ST01."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bus.canonical import CanonicalMessage
from transformers.x12 import asn856, po850
from transformers.x12.errors import TransactionSetError

ParseFn = Callable[..., CanonicalMessage]


@dataclass(frozen=True, slots=True)
class SetMap:
    """How one transaction set becomes a canonical message."""

    set_id: str
    parse: ParseFn
    """``parse(segments, notes=...)``; raises :class:`MappingError`."""
    key: Callable[[Any], str]
    """The business number that correlates the message (ASN or PO number)."""
    issued_at: Callable[[Sequence[list[str]], Any], datetime | None]
    """When the partner issued the document, from its segments or the parsed message."""

    def read(
        self, segments: Sequence[list[str]], notes: list[TransactionSetError]
    ) -> tuple[CanonicalMessage, str, datetime | None]:
        """(message, correlation id, issued at)."""
        message = self.parse(segments, notes=notes)
        return message, self.key(message), self.issued_at(segments, message)


MESSAGE_SETS: dict[str, SetMap] = {
    "856": SetMap("856", asn856.parse_856, lambda n: n.asn_number, lambda s, _: asn856.issued_at(s)),
    "850": SetMap("850", po850.parse_850, lambda o: o.po_number, lambda _, o: o.issued_at),
}
