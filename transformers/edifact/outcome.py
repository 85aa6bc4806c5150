"""The verdict on one interchange: accepted or rejected, which groups and messages were rejected and why, the
CONTRLs the partner sent, and the CONTRL to send back."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from transformers.edifact.acknowledgement import acknowledgement_interchange
from transformers.edifact.codes import SyntaxErrorCode
from transformers.edifact.contrl import Contrl
from transformers.edifact.errors import EdifactError, EdifactSyntaxError
from transformers.edifact.headers import GroupHeader, InterchangeHeader, MessageIdentifier, Party


@dataclass(frozen=True, slots=True)
class MessageOutcome:
    """A rejected message: where it is in the interchange and why it was rejected."""

    index: int
    """1-based position among the interchange's messages."""
    reference: str
    identifier: MessageIdentifier
    group: GroupHeader | None
    errors: tuple[EdifactError, ...]
    document_number: str = ""
    """BGM 1004 (the ASN or PO number) when the message has one, to find the message by."""

    def reasons(self) -> list[str]:
        document = f", document {self.document_number!r}" if self.document_number else ""
        where = f"message {self.index} (UNH {self.reference!r}, {self.identifier or 'no type'}{document})"
        return [f"{where}: {error}" for error in self.errors]


@dataclass(frozen=True, slots=True)
class GroupOutcome:
    """A rejected functional group (UNG...UNE); all its messages are rejected with it."""

    header: GroupHeader
    error: EdifactError
    first_message: int
    """Index of the group's first message in the interchange."""

    def reason(self) -> str:
        return f"group {self.header.reference!r} ({self.header.message_type or 'no type'}): {self.error}"


@dataclass
class InterchangeOutcome:
    """What the first pass found in one interchange.

    ``accepted`` is the verdict on the interchange itself (UNA/UNB/UNZ, duplicates); an accepted interchange may
    still hold rejected groups and messages, listed in ``rejected_groups`` and ``rejected_messages`` (accepted
    messages are not listed: memory stays bounded whatever the number of messages). ``reasons`` says, for people,
    everything that was rejected and where.
    """

    header: InterchangeHeader | None
    accepted: bool
    reasons: list[str]
    index: int = 1
    """1-based position of the interchange in the file."""
    error: EdifactError | None = None
    """Why the interchange as a whole was rejected."""
    message_count: int = 0
    published_count: int = 0
    """Messages the second pass yields (accepted DESADV and ORDERS)."""
    contrl_count: int = 0
    """CONTRL messages in the interchange, valid or not."""
    rejected_groups: list[GroupOutcome] = field(default_factory=list)
    rejected_messages: list[MessageOutcome] = field(default_factory=list)
    received_acknowledgements: list[Contrl] = field(default_factory=list)
    """CONTRL messages the partner sent in this interchange (acknowledging interchanges we sent)."""
    withheld: set[int] = field(default_factory=set, repr=False)
    """Indexes of rejected messages."""
    withheld_ranges: list[range] = field(default_factory=list, repr=False)
    """Index ranges of the messages of rejected groups."""

    def publishes(self, message_index: int) -> bool:
        """True when the message at ``message_index`` is to be published: the interchange is accepted and the
        message is neither rejected nor in a rejected group."""
        if not self.accepted or message_index in self.withheld:
            return False
        return not any(message_index in indexes for indexes in self.withheld_ranges)

    @property
    def duplicate(self) -> bool:
        return self.error is not None and self.error.code == SyntaxErrorCode.DUPLICATE

    @property
    def only_acknowledgements(self) -> bool:
        """The interchange holds CONTRLs and nothing else: it is never acknowledged itself (no CONTRL loops)."""
        return self.message_count > 0 and self.contrl_count == self.message_count

    def acknowledgements(
        self,
        *,
        control_reference: str,
        when: datetime,
        always: bool = False,
        sender: Party | None = None,
        message_reference: str = "1",
    ) -> bytes | None:
        """The CONTRL interchange to send back, or None when none is due.

        One is due when the partner asked for it (UNB 0031), when anything was rejected, or when ``always`` (the
        partner agreement says so). It goes from ``sender`` (by default the inbound recipient) to the inbound
        sender, with the inbound syntax identifier, version, service characters and test indicator; its UCI echoes
        the inbound UNB reference. None, too, for an interchange without a readable UNB, one holding only CONTRLs,
        and one whose identifiers cannot be echoed (characters invalid in its own character set).
        """
        header = self.header
        if header is None or self.only_acknowledgements:
            return None
        ours = sender or header.recipient
        if not (header.sender.id and ours.id and header.control_reference):  # nobody to address, or nothing to echo
            return None
        problems = not self.accepted or bool(self.rejected_messages or self.rejected_groups)
        if not (always or header.acknowledgement_requested or problems):
            return None
        try:
            return acknowledgement_interchange(
                self, control_reference=control_reference, when=when, sender=ours, message_reference=message_reference
            )
        except EdifactSyntaxError as exc:
            if exc.code != SyntaxErrorCode.INVALID_CHARACTERS:
                raise
            return None  # what it must echo (sender, references) is not valid in the inbound character set
