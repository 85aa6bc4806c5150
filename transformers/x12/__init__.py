"""X12 EDI: read interchanges into canonical messages with their acknowledgements, and write interchanges.

Reading a file is two streaming passes over the same stream::

    reading = X12Reading(stream, is_duplicate=seen_before)
    outcomes = reading.check()          # verdict per interchange; nothing is published yet
    for decoded in reading.messages():  # accepted 850/856 sets of accepted interchanges only
        ...
    for outcome in outcomes:
        reply = outcome.acknowledgements(control_number=next_isa13(), when=now)  # 997 and/or TA1, or None

Writing: :func:`generate_856` / :func:`generate_850` turn canonical messages into a whole interchange;
:func:`build_interchange` writes any groups of :class:`OutboundSet` (from :func:`set_856`, :func:`set_850`,
:func:`set_997`).
"""

from transformers.x12.ack997 import FunctionalAcknowledgement, SetAcknowledgement, parse_997, set_997
from transformers.x12.asn856 import parse_856, set_856
from transformers.x12.envelope import GroupHeader, TransactionSet
from transformers.x12.errors import (
    ElementError,
    GenerationError,
    GroupError,
    InterchangeError,
    MappingError,
    SegmentError,
    TransactionSetError,
    X12Error,
)
from transformers.x12.isa import InterchangeHeader, Separators, default_separators, parse_isa
from transformers.x12.outbound import generate_850, generate_856
from transformers.x12.outcome import GroupOutcome, InterchangeOutcome, SetOutcome
from transformers.x12.po850 import parse_850, set_850
from transformers.x12.reading import X12Reading
from transformers.x12.ta1 import InterchangeAcknowledgement, parse_ta1
from transformers.x12.writer import OutboundGroup, OutboundSet, Party, build_interchange

__all__ = [
    "ElementError",
    "FunctionalAcknowledgement",
    "GenerationError",
    "GroupError",
    "GroupHeader",
    "GroupOutcome",
    "InterchangeAcknowledgement",
    "InterchangeError",
    "InterchangeHeader",
    "InterchangeOutcome",
    "MappingError",
    "OutboundGroup",
    "OutboundSet",
    "Party",
    "SegmentError",
    "Separators",
    "SetAcknowledgement",
    "SetOutcome",
    "TransactionSet",
    "TransactionSetError",
    "X12Error",
    "X12Reading",
    "build_interchange",
    "default_separators",
    "generate_850",
    "generate_856",
    "parse_850",
    "parse_856",
    "parse_997",
    "parse_isa",
    "parse_ta1",
    "set_850",
    "set_856",
    "set_997",
]
