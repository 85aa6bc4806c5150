"""TA1 Interchange Acknowledgment: the verdict on a whole interchange, written between ISA and the first GS.

TA101-TA103 echo the acknowledged interchange's ISA13, ISA09 and ISA10; TA104 is ``A`` (accepted), ``E``
(accepted with errors) or ``R`` (rejected) and TA105 the note code (``codes.TA1_NOTE_CODES``).
"""

from __future__ import annotations

from dataclasses import dataclass

from transformers.x12 import codes
from transformers.x12.isa import InterchangeHeader
from transformers.x12.writer import Segment


@dataclass(frozen=True, slots=True)
class InterchangeAcknowledgement:
    """One TA1 segment."""

    control_number: str
    """TA101: the acknowledged interchange's ISA13."""
    date: str
    """TA102: its ISA09 (YYMMDD)."""
    time: str
    """TA103: its ISA10 (HHMM)."""
    code: str
    """TA104: ``A``, ``E`` or ``R``."""
    note_code: str
    """TA105."""

    @classmethod
    def answering(cls, header: InterchangeHeader, code: str, note_code: str) -> InterchangeAcknowledgement:
        return cls(header.control_number, header.date, header.time, code, note_code)

    @property
    def accepted(self) -> bool:
        return self.code in (codes.TA1_ACCEPTED, codes.TA1_ACCEPTED_WITH_ERRORS)

    @property
    def note(self) -> str:
        """TA105 in words."""
        return codes.TA1_NOTE_CODES.get(self.note_code, f"unknown note code {self.note_code!r}")

    def segment(self) -> Segment:
        return ("TA1", self.control_number, self.date, self.time, self.code, self.note_code)


def parse_ta1(elements: list[str]) -> InterchangeAcknowledgement:
    """A received TA1 segment (``elements[0]`` is ``TA1``); missing elements read as empty."""
    padded = [*elements[1:6], "", "", "", "", ""][:5]
    return InterchangeAcknowledgement(*padded)
