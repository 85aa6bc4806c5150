"""What reading an interchange yields: its messages (UNH...UNT, one at a time), its groups and its report.

Errors are kept at the level they belong to, as a CONTRL reports them:

* message level (bad UNH, UNT count or reference, missing UNT, malformed tag, invalid characters): on the message;
* group level (UNE count or reference, empty group, mixed message types): on the group's status;
* interchange level (bad UNB, unsupported syntax, UNZ count or reference, missing UNZ, stray segments): on the
  interchange's report.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from transformers.edifact.errors import EdifactError, EdifactSyntaxError
from transformers.edifact.headers import GroupHeader, InterchangeHeader, MessageIdentifier
from transformers.edifact.segment import Segment

DEFAULT_MAX_MESSAGE_SEGMENTS = 200_000
"""A message is held in memory whole; this bounds what a broken or hostile file can make it hold."""


@dataclass(slots=True)
class Message:
    """One message, UNH to UNT inclusive, in interchange order (``index`` is 1-based)."""

    reference: str
    identifier: MessageIdentifier
    segments: list[Segment]
    index: int
    group: GroupHeader | None = None
    common_access_reference: str = ""
    error: EdifactSyntaxError | None = None
    segment_count: int = 1
    """Segments received from UNH to UNT, also when more arrived than are kept."""

    @property
    def type(self) -> str:
        return self.identifier.type

    @property
    def body(self) -> list[Segment]:
        """The segments between UNH and UNT."""
        return self.segments[1:-1] if len(self.segments) > 1 and self.segments[-1].tag == "UNT" else self.segments[1:]

    def position_of(self, segment: Segment) -> int:
        """A segment's position in this message, UNH = 1 (CONTRL 0096)."""
        return segment.position - self.segments[0].position + 1


@dataclass(slots=True)
class GroupStatus:
    """A functional group: its header, the messages it holds and its error, if any."""

    header: GroupHeader
    first_message: int
    """Index of the group's first message in the interchange."""
    message_count: int = 0
    error: EdifactError | None = None

    def fail(self, error: EdifactError) -> None:
        """Record a group-level error (the first one wins)."""
        error.level = "group"
        if self.error is None:
            self.error = error


@dataclass(slots=True)
class InterchangeReport:
    """The outcome of reading an interchange, filled in while reading; final once the iteration ends."""

    header: InterchangeHeader | None = None
    error: EdifactError | None = None
    """The interchange-level error; the interchange is rejected when set."""
    groups: list[GroupStatus] = field(default_factory=list)
    message_count: int = 0
    complete: bool = False
    """True once UNZ was read."""
    unreadable: bool = False
    """True when the rest of the stream cannot be cut into segments: nothing after this interchange is read."""

    @property
    def accepted(self) -> bool:
        """The interchange as a whole is valid (individual messages or groups may still be rejected)."""
        return self.header is not None and self.error is None and self.complete

    def fail(self, error: EdifactError) -> None:
        """Record an interchange-level error (the first one wins)."""
        error.level = "interchange"
        if self.error is None:
            self.error = error
