"""EDI file handler (``decoder: edi``): X12 or EDIFACT interchanges from trading partners.

Pass one checks every interchange, group and transaction set / message and decides the acknowledgements:
a 997 (X12) or CONTRL (EDIFACT) per interchange, accepted or rejected with the error codes, and a TA1 or
CONTRL rejection for an interchange whose control number that partner already sent. Pass two yields the
canonical messages of the accepted parts. Interchanges from senders not in the partner file, or addressed
to someone else, are refused whole and not acknowledged. Acknowledgements are written to the route's reply
folder once the messages are confirmed; a file with any refusal then goes to the error folder with the reasons.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from pydantic import Field

from bus.errors import ConfigurationError
from legacy_adapters.edi.dialects import DIALECTS, Dialect
from legacy_adapters.edi.partners import Partner, PartnerBook, Standard, load_partners
from legacy_adapters.file_handlers import (
    FileHandler,
    FileReading,
    FileVerdict,
    HandlerSettings,
    InboundMemory,
    IncomingFile,
    Reply,
)
from transformers.decoding import Decoded, DecodeFailed

_SNIFF_BYTES = 512


class EdiSettings(HandlerSettings):
    partners: Path = Field(description="The trading partner file; relative to the route file's folder")


def sniff(head: bytes) -> Standard:
    text = head.lstrip(b" \t\r\n\x00\xef\xbb\xbf")
    if text.startswith(b"ISA"):
        return "x12"
    if text.startswith((b"UNA", b"UNB")):
        return "edifact"
    raise DecodeFailed("not an EDI interchange: an X12 file starts with ISA, an EDIFACT one with UNA or UNB")


def claim_key(standard: Standard, sender: tuple[str, str], control_number: str) -> str:
    """What a partner must not send twice: its interchange control number."""
    qualifier, identifier = sender
    return f"{standard}:{qualifier.strip()}:{identifier.strip()}:{control_number.strip()}"


class EdiReading(FileReading):
    def __init__(self, dialect: Dialect, book: PartnerBook, stream: BinaryIO, memory: InboundMemory) -> None:
        self._dialect = dialect
        self._book = book
        self._memory = memory
        self._seen_in_file: set[str] = set()
        self._refused: set[str] = set()
        self._reading = dialect.open(stream, self._is_duplicate)

    def _claim(self, header: Any) -> str:
        dialect = self._dialect
        return claim_key(dialect.standard, dialect.sender(header), dialect.control_number(header))

    def _is_duplicate(self, header: Any) -> bool:
        claim = self._claim(header)
        duplicate = claim in self._seen_in_file or self._memory.is_claimed(claim)
        self._seen_in_file.add(claim)
        return duplicate

    def verdict(self) -> FileVerdict:
        verdict = FileVerdict()
        for outcome in self._reading.check():
            self._judge(outcome, verdict)
        return verdict

    def _judge(self, outcome: Any, verdict: FileVerdict) -> None:
        header = outcome.header
        if header is None:
            verdict.rejections.extend(outcome.reasons or ["unreadable interchange header"])
            return
        dialect = self._dialect
        sender, receiver = dialect.sender(header), dialect.receiver(header)
        label = f"interchange {dialect.control_number(header).strip()} from {':'.join(sender)}"
        partner = self._book.sender(dialect.standard, *sender)
        if partner is None or not partner.our_id.matches(*receiver):
            self._refused.add(dialect.label(header))
            why = (
                f"not a configured {dialect.standard} partner"
                if partner is None
                else f"addressed to {':'.join(receiver)}, but we are {partner.our_id} for {partner.name}"
            )
            verdict.rejections.append(f"{label}: {why}; nothing taken, not acknowledged")
            return
        verdict.rejections.extend(f"{label}: {reason}" for reason in outcome.reasons)
        if outcome.accepted:
            verdict.claims.append(self._claim(header))
        reply = self._acknowledgement(partner, outcome)
        if reply is not None:
            verdict.replies.append(reply)

    def _acknowledgement(self, partner: Partner, outcome: Any) -> Reply | None:
        mode = partner.acknowledgements
        if mode == "never" or (
            mode == "requested" and outcome.accepted and not self._dialect.ack_requested(outcome.header)
        ):
            return None
        number = self._memory.next_number(f"edi:{partner.name}:acknowledgement")
        body = self._dialect.acknowledgement(outcome, number, datetime.now(UTC), always=mode == "always")
        return None if body is None else Reply(name=self._dialect.ack_name(outcome.header, number), body=body)

    def messages(self) -> Iterator[Decoded]:
        for decoded in self._reading.messages():
            if decoded.reference.split("/", 1)[0] not in self._refused:
                yield decoded


class EdiFileHandler(FileHandler):
    Settings = EdiSettings
    sends_replies = True
    settings: EdiSettings

    def __init__(self, settings: EdiSettings, *, base_directory: str | None = None) -> None:
        super().__init__(settings, base_directory=base_directory)
        path = settings.partners
        if not path.is_absolute() and base_directory is not None:
            path = Path(base_directory) / path
        self._book = load_partners(path)
        if not self._book.partners:
            raise ConfigurationError(f"partner file {path} lists no partners")

    def read(self, stream: BinaryIO, file: IncomingFile, memory: InboundMemory) -> FileReading:
        stream.seek(0)
        standard = sniff(stream.read(_SNIFF_BYTES))
        stream.seek(0)
        return EdiReading(DIALECTS[standard], self._book, stream, memory)
