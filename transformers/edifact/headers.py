"""What the service segments say: interchange (UNB, with UNA), group (UNG) and message (UNH) headers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from transformers.edifact.syntax import LEVEL_A, Delimiters


@dataclass(frozen=True, slots=True)
class Party:
    """An interchange or application party: identification, code qualifier and (reverse) routing address."""

    id: str
    qualifier: str = ""
    routing: str = ""

    def __str__(self) -> str:
        return f"{self.id}:{self.qualifier}" if self.qualifier else self.id


@dataclass(frozen=True, slots=True)
class MessageIdentifier:
    """UNH S009: message type, version, release, controlling agency and association assigned code."""

    type: str
    version: str = ""
    release: str = ""
    agency: str = ""
    association: str = ""

    def components(self) -> tuple[str, str, str, str, str]:
        return (self.type, self.version, self.release, self.agency, self.association)

    def __str__(self) -> str:
        parts = list(self.components())
        while parts and not parts[-1]:
            parts.pop()
        return ":".join(parts)


@dataclass(frozen=True, slots=True)
class InterchangeHeader:
    """What UNB (and UNA) said about an interchange."""

    syntax_id: str
    syntax_version: str
    sender: Party
    recipient: Party
    date: str
    time: str
    control_reference: str
    password: str = ""
    application_reference: str = ""
    priority: str = ""
    acknowledgement_requested: bool = False
    """UNB 0031 is 1 (acknowledgement requested) or 2 (indication of receipt, syntax version 4)."""
    agreement_id: str = ""
    test: bool = False
    delimiters: Delimiters = field(default_factory=lambda: LEVEL_A)
    una_present: bool = False

    @property
    def prepared_at(self) -> datetime | None:
        """UNB S004 as a datetime (YYMMDD or CCYYMMDD plus HHMM), None when it does not parse."""
        fmt = "%y%m%d%H%M" if len(self.date) == 6 else "%Y%m%d%H%M"
        try:
            return datetime.strptime(self.date + self.time, fmt)
        except ValueError:
            return None


@dataclass(frozen=True, slots=True)
class GroupHeader:
    """What UNG said about a functional group."""

    message_type: str
    application_sender: Party
    application_recipient: Party
    date: str
    time: str
    reference: str
    agency: str = ""
    message_version: str = ""
    message_release: str = ""
    association: str = ""
    password: str = ""
