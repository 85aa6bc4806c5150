"""UN/EDIFACT codec: DESADV and ORDERS (directory D.96A) to and from canonical messages, CONTRL acknowledgements.

Reading a file (what the EDI-over-SFTP adapter does)::

    reading = EdifactReading(stream, is_duplicate=already_received)
    for outcome in reading.check():              # pass 1: verdicts only, bounded memory
        ack = outcome.acknowledgements(control_reference=next_reference(), when=now)
        ...                                      # send ack (bytes) when not None, log outcome.reasons
    for decoded in reading.messages():           # pass 2: accepted DESADV/ORDERS as canonical messages
        publish(decoded)

Writing: :func:`generate_desadv`, :func:`generate_orders`, :func:`generate_contrl`; reading whole files strictly:
:func:`parse_desadv`, :func:`parse_orders`, :func:`parse_contrl`.
"""

from transformers.edifact.codes import Action, SyntaxErrorCode
from transformers.edifact.contrl import (
    Contrl,
    ElementError,
    ErrorPosition,
    GroupResponse,
    MessageResponse,
    SegmentError,
    Verdict,
)
from transformers.edifact.decoder import decode_edifact
from transformers.edifact.errors import EdifactError, EdifactMappingError, EdifactSyntaxError
from transformers.edifact.generate import generate_contrl, generate_desadv, generate_orders
from transformers.edifact.headers import GroupHeader, InterchangeHeader, MessageIdentifier, Party
from transformers.edifact.outcome import GroupOutcome, InterchangeOutcome, MessageOutcome
from transformers.edifact.parse import parse_contrl, parse_desadv, parse_orders
from transformers.edifact.reading import EdifactReading
from transformers.edifact.syntax import Delimiters

__all__ = [
    "Action",
    "Contrl",
    "Delimiters",
    "EdifactError",
    "EdifactMappingError",
    "EdifactReading",
    "EdifactSyntaxError",
    "ElementError",
    "ErrorPosition",
    "GroupHeader",
    "GroupOutcome",
    "GroupResponse",
    "InterchangeHeader",
    "InterchangeOutcome",
    "MessageIdentifier",
    "MessageOutcome",
    "MessageResponse",
    "Party",
    "SegmentError",
    "SyntaxErrorCode",
    "Verdict",
    "decode_edifact",
    "generate_contrl",
    "generate_desadv",
    "generate_orders",
    "parse_contrl",
    "parse_desadv",
    "parse_orders",
]
