"""What checking an interchange found, and the acknowledgements (997 and TA1) that answer it.

Outcomes hold no messages. A set accepted without remarks is kept as part of a run of consecutive control
numbers, so a group of many thousand clean sets costs a few objects, not one per set.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime

from transformers.x12 import codes
from transformers.x12.ack997 import VERSION_ECHO_FROM, FunctionalAcknowledgement, SetAcknowledgement, set_997
from transformers.x12.envelope import GroupEnd, GroupHeader
from transformers.x12.errors import ElementError, GenerationError, GroupError, InterchangeError, TransactionSetError
from transformers.x12.isa import InterchangeHeader, Separators
from transformers.x12.ta1 import InterchangeAcknowledgement
from transformers.x12.writer import OutboundGroup, Party, build_interchange

MAX_REASONS = 100
"""Reasons kept per interchange; beyond, they are counted in ``InterchangeOutcome.unreported``."""
_AK404_MAX = 99
_FALLBACK_VERSION = "00401"
"""ISA12 of a reply to an interchange whose own ISA12 is unusable."""
_USAGES = ("P", "T", "I")


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


@dataclass(frozen=True, slots=True)
class SetOutcome:
    """The verdict on one transaction set."""

    set_id: str
    control_number: str
    code: str
    """AK501: ``A``, ``E`` (accepted, errors noted) or ``R``."""
    errors: tuple[TransactionSetError, ...] = ()
    message: bool = False
    """It is an 850 or 856, read into a canonical message."""

    @property
    def accepted(self) -> bool:
        return self.code != codes.REJECTED

    def acknowledgement(self) -> SetAcknowledgement:
        return SetAcknowledgement(
            self.set_id,
            self.control_number,
            self.code,
            _unique(e.code for e in self.errors),
            tuple(note for e in self.errors for note in e.segment_errors),
        )


@dataclass(slots=True)
class _Run:
    """Consecutive sets accepted without remarks, with zero-padded numeric control numbers."""

    set_id: str
    first: int
    width: int
    count: int
    message: bool

    def follows(self, set_id: str, number: int, width: int, message: bool) -> bool:
        return (
            number == self.first + self.count
            and set_id == self.set_id
            and width == self.width
            and message == self.message
        )

    def outcomes(self) -> Iterator[SetOutcome]:
        for number in range(self.first, self.first + self.count):
            yield SetOutcome(self.set_id, f"{number:0{self.width}d}", codes.ACCEPTED, (), self.message)


@dataclass(slots=True, eq=False)
class GroupOutcome:
    """The verdict on one functional group and its sets."""

    header: GroupHeader
    errors: list[GroupError] = field(default_factory=list)
    """GS/GE problems; any of them rejects the whole group."""
    declared_sets: int | None = None
    """GE01."""
    received: int = 0
    accepted_sets: int = 0
    """Sets accepted on their own (AK5 ``A`` or ``E``); none is used when the group is rejected."""
    message_sets: int = 0
    """Accepted sets that are canonical messages (850, 856)."""
    _entries: list[SetOutcome | _Run] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return not self.errors

    @property
    def code(self) -> str:
        """AK901."""
        if self.errors:
            return codes.REJECTED
        if self.received and not self.accepted_sets:
            return codes.REJECTED
        if self.accepted_sets < self.received:
            return codes.PARTIALLY_ACCEPTED
        if any(s.code == codes.ACCEPTED_WITH_ERRORS for s in self._entries if isinstance(s, SetOutcome)):
            return codes.ACCEPTED_WITH_ERRORS
        return codes.ACCEPTED

    def sets(self) -> Iterator[SetOutcome]:
        """Every set of the group, in order."""
        for entry in self._entries:
            if isinstance(entry, _Run):
                yield from entry.outcomes()
            else:
                yield entry

    def record(self, set_id: str, control_number: str, errors: list[TransactionSetError], message: bool) -> None:
        self.received += 1
        fatal = bool(errors) and any(e.fatal for e in errors)
        if not fatal:
            self.accepted_sets += 1
            self.message_sets += message
        if not errors and control_number.isascii() and control_number.isdigit():
            number, width = int(control_number), len(control_number)
            last = self._entries[-1] if self._entries else None
            if isinstance(last, _Run) and last.follows(set_id, number, width, message):
                last.count += 1
            else:
                self._entries.append(_Run(set_id, number, width, 1, message))
            return
        code = codes.REJECTED if fatal else codes.ACCEPTED_WITH_ERRORS if errors else codes.ACCEPTED
        self._entries.append(SetOutcome(set_id, control_number, code, tuple(errors), message))

    def close(self, end: GroupEnd) -> None:
        self.errors.extend(end.errors)
        self.declared_sets = end.declared_set_count

    def acknowledgement(self) -> FunctionalAcknowledgement:
        """The 997 content. A rejected group lists only the sets rejected on their own, and accepts none."""
        rejected = bool(self.errors)
        header = self.header
        return FunctionalAcknowledgement(
            functional_id=header.functional_id,
            control_number=header.control_number,
            code=self.code,
            included=self.received if self.declared_sets is None else self.declared_sets,
            received=self.received,
            accepted=0 if rejected else self.accepted_sets,
            error_codes=_unique(e.code for e in self.errors),
            sets=tuple(s.acknowledgement() for s in self.sets() if not rejected or not s.accepted),
            version=header.version if header.version[:6] >= VERSION_ECHO_FROM else "",
        )


@dataclass(slots=True, eq=False)
class InterchangeOutcome:
    """The verdict on one interchange of a file, and the acknowledgements answering it."""

    header: InterchangeHeader | None
    """The ISA as far as it could be read; None when not even that."""
    errors: list[InterchangeError] = field(default_factory=list)
    """ISA/IEA and structure problems; any of them rejects the whole interchange."""
    duplicate: bool = False
    """Its ISA13 was received before: rejected whole (TA1 025), its sets not read."""
    groups: list[GroupOutcome] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    """Every problem found, in words, with segment positions (ISA is segment 1)."""
    unreported: int = 0
    """Problems beyond the first ``MAX_REASONS``, counted only."""
    received_acks: list[FunctionalAcknowledgement] = field(default_factory=list)
    """997s the partner sent (acknowledging our groups)."""
    received_interchange_acks: list[InterchangeAcknowledgement] = field(default_factory=list)
    """TA1s the partner sent (acknowledging our interchanges)."""

    @property
    def accepted(self) -> bool:
        return self.header is not None and not self.errors and not self.duplicate

    @property
    def messages(self) -> int:
        """Canonical messages it yields: accepted 850/856 sets of accepted groups."""
        return sum(g.message_sets for g in self.groups if g.accepted) if self.accepted else 0

    def note(self, reason: str) -> None:
        if len(self.reasons) < MAX_REASONS:
            self.reasons.append(reason)
        else:
            self.unreported += 1

    def interchange_acknowledgement(self) -> InterchangeAcknowledgement | None:
        """The TA1: when the interchange is rejected or a duplicate, or when its ISA14 asks for one."""
        header = self.header
        if header is None:
            return None
        if self.accepted:
            if header.ack_requested != "1":
                return None
            return InterchangeAcknowledgement.answering(header, codes.TA1_ACCEPTED, codes.TA1_NO_ERROR)
        note = codes.TA1_DUPLICATE_CONTROL_NUMBER if self.duplicate else self.errors[0].note_code
        return InterchangeAcknowledgement.answering(header, codes.TA1_REJECTED, note)

    def acknowledgements(
        self,
        *,
        control_number: int,
        when: datetime,
        sender_id: Party | None = None,
        group_control_number: int | None = None,
    ) -> bytes | None:
        """The reply interchange: the TA1 (see :meth:`interchange_acknowledgement`) and, for an accepted
        interchange, one 997 group per received group (997s themselves are not acknowledged).

        The reply goes from the inbound receiver (or ``sender_id``) to the inbound sender, with the inbound
        version, usage and separators; each 997 group swaps GS02/GS03 and echoes GS08. ``control_number`` is the
        reply's ISA13; its groups are numbered from ``group_control_number`` (default: ``control_number``).
        None when there is nothing to send, or the inbound ISA is too broken to address a reply.
        """
        header = self.header
        if header is None or not all(header.sender + header.receiver):
            return None
        ta1 = self.interchange_acknowledgement()
        version = header.version if header.version.isascii() and header.version.isdigit() else _FALLBACK_VERSION
        separators = header.separators.for_version(version)
        first = control_number if group_control_number is None else group_control_number
        groups = self._ack_groups(first, separators) if self.accepted else []
        if ta1 is None and not groups:
            return None
        try:
            return build_interchange(
                groups,
                sender=sender_id or header.receiver,
                receiver=header.sender,
                control_number=control_number,
                when=when,
                version=version,
                separators=separators,
                usage=header.usage if header.usage in _USAGES else "P",
                interchange_acks=[ta1] if ta1 else [],
            )
        except GenerationError:
            if self.accepted:
                raise
            return None

    def _ack_groups(self, first: int, separators: Separators) -> list[OutboundGroup]:
        groups = []
        for group in self.groups:
            if group.header.functional_id == codes.FUNCTIONAL_ACK:
                continue
            ack = _writable(group.acknowledgement(), separators)
            groups.append(
                OutboundGroup(
                    codes.FUNCTIONAL_ACK,
                    group.header.receiver_code,
                    group.header.sender_code,
                    first + len(groups),
                    [set_997(ack)],
                    version=group.header.version,
                )
            )
        return groups


def _writable(ack: FunctionalAcknowledgement, separators: Separators) -> FunctionalAcknowledgement:
    """``ack`` with the received values it quotes (AK301, AK404) cleared of separator characters."""

    def clean(text: str) -> str:
        return "".join(c for c in text if c not in separators.all)

    def element(note: ElementError) -> ElementError:
        value = clean(note.value or "")[:_AK404_MAX] or None
        return note if value == note.value else replace(note, value=value)

    sets = []
    for set_ack in ack.sets:
        if set_ack.segment_errors:
            notes = tuple(
                replace(s, segment_id=clean(s.segment_id) or "?", elements=tuple(element(e) for e in s.elements))
                for s in set_ack.segment_errors
            )
            set_ack = replace(set_ack, segment_errors=notes)
        sets.append(set_ack)
    return replace(ack, sets=tuple(sets))
