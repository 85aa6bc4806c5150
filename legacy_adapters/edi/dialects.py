"""What differs between X12 and EDIFACT for the EDI file handler: reading, ids, acknowledgements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any, BinaryIO, Protocol

from legacy_adapters.edi.partners import Standard
from transformers import edifact, x12
from transformers.decoding import Decoded

DuplicateCheck = Callable[[Any], bool]


class Reading(Protocol):
    def check(self) -> list[Any]: ...

    def messages(self) -> Iterator[Decoded]: ...


class Dialect(ABC):
    standard: Standard

    @abstractmethod
    def open(self, stream: BinaryIO, is_duplicate: DuplicateCheck) -> Reading: ...

    @abstractmethod
    def sender(self, header: Any) -> tuple[str, str]:
        """(qualifier, id) of the interchange's sender."""

    @abstractmethod
    def receiver(self, header: Any) -> tuple[str, str]: ...

    @abstractmethod
    def control_number(self, header: Any) -> str: ...

    @abstractmethod
    def ack_requested(self, header: Any) -> bool:
        """Whether the interchange itself asks for an acknowledgement."""

    @abstractmethod
    def acknowledgement(self, outcome: Any, number: int, when: datetime, *, always: bool) -> bytes | None: ...

    @abstractmethod
    def ack_name(self, header: Any, number: int) -> str: ...

    def label(self, header: Any) -> str:
        """How the interchange starts the references of its messages (``ISA 000000905``, ``UNB 4711``)."""
        return f"{self.interchange_tag} {self.control_number(header)}"

    interchange_tag: str = ""


def _file_part(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in text.strip())[:35] or "unknown"


class X12Dialect(Dialect):
    standard = "x12"
    interchange_tag = "ISA"

    def open(self, stream: BinaryIO, is_duplicate: DuplicateCheck) -> Reading:
        return x12.X12Reading(stream, is_duplicate=is_duplicate)

    def sender(self, header: x12.InterchangeHeader) -> tuple[str, str]:
        return header.sender

    def receiver(self, header: x12.InterchangeHeader) -> tuple[str, str]:
        return header.receiver

    def control_number(self, header: x12.InterchangeHeader) -> str:
        return header.control_number

    def ack_requested(self, header: x12.InterchangeHeader) -> bool:
        return header.ack_requested == "1"

    def acknowledgement(
        self, outcome: x12.InterchangeOutcome, number: int, when: datetime, *, always: bool
    ) -> bytes | None:
        return outcome.acknowledgements(control_number=number, when=when)

    def ack_name(self, header: x12.InterchangeHeader, number: int) -> str:
        return f"997_{_file_part(header.sender_id)}_{_file_part(header.control_number)}_{number:09d}.x12"


class EdifactDialect(Dialect):
    standard = "edifact"
    interchange_tag = "UNB"

    def open(self, stream: BinaryIO, is_duplicate: DuplicateCheck) -> Reading:
        return edifact.EdifactReading(stream, is_duplicate=is_duplicate)

    def sender(self, header: edifact.InterchangeHeader) -> tuple[str, str]:
        return header.sender.qualifier, header.sender.id

    def receiver(self, header: edifact.InterchangeHeader) -> tuple[str, str]:
        return header.recipient.qualifier, header.recipient.id

    def control_number(self, header: edifact.InterchangeHeader) -> str:
        return header.control_reference

    def ack_requested(self, header: edifact.InterchangeHeader) -> bool:
        return header.acknowledgement_requested

    def acknowledgement(
        self, outcome: edifact.InterchangeOutcome, number: int, when: datetime, *, always: bool
    ) -> bytes | None:
        return outcome.acknowledgements(control_reference=str(number), when=when, always=always)

    def ack_name(self, header: edifact.InterchangeHeader, number: int) -> str:
        return f"CONTRL_{_file_part(header.sender.id)}_{_file_part(header.control_reference)}_{number:09d}.edi"


DIALECTS: dict[Standard, Dialect] = {"x12": X12Dialect(), "edifact": EdifactDialect()}
