"""Message structures (the segment tables of a directory) and the walk that sorts a message's segments into them.

A structure is the standard's segment table: segments and segment groups in their order, each mandatory or
conditional with a maximum number of repetitions; the first segment of a group is its trigger. Walking a message
follows the standard's rule for nesting: a segment belongs to the nearest open group, searching forward from the
last segment placed, then outwards; the trigger of an open group that appears again starts its next repetition.

Segments that fit nowhere, repeat too often, or mandatory segments that are missing are reported as syntax errors
with their position in the message (UNH = 1), as a CONTRL reports them in UCS.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from transformers.edifact.codes import SyntaxErrorCode
from transformers.edifact.errors import EdifactSyntaxError
from transformers.edifact.segment import Segment

MANDATORY = "M"


@dataclass(frozen=True, slots=True)
class SegmentRule:
    tag: str
    mandatory: bool
    max_repeat: int

    @property
    def key(self) -> str:
        return self.tag

    def describe(self) -> str:
        return self.tag


@dataclass(frozen=True)
class GroupRule:
    """A segment group (``name`` like "SG10"), or the message body itself (``name`` "")."""

    name: str
    mandatory: bool
    max_repeat: int
    children: tuple[SegmentRule | GroupRule, ...]
    index: dict[str, tuple[int, ...]] = field(init=False, repr=False, compare=False)
    """Child positions by the tag that starts them, ascending."""
    required: tuple[int, ...] = field(init=False, repr=False, compare=False)
    """Positions of the mandatory children, the trigger excepted (it is there whenever the group is)."""

    def __post_init__(self) -> None:
        index: dict[str, list[int]] = {}
        for number, child in enumerate(self.children):
            index.setdefault(child.key, []).append(number)
        object.__setattr__(self, "index", {tag: tuple(numbers) for tag, numbers in index.items()})
        first = 1 if self.name else 0
        required = tuple(n for n, child in enumerate(self.children) if child.mandatory and n >= first)
        object.__setattr__(self, "required", required)

    @property
    def key(self) -> str:
        """The tag that starts the group: its trigger segment's."""
        return self.children[0].key

    def describe(self) -> str:
        return f"{self.name} ({self.key})"


def S(tag: str, status: str, max_repeat: int) -> SegmentRule:
    """A segment of a segment table: ``S("DTM", "C", 10)``."""
    return SegmentRule(tag, status == MANDATORY, max_repeat)


def G(number: int, status: str, max_repeat: int, *children: SegmentRule | GroupRule) -> GroupRule:
    """Segment group ``number`` of a segment table; its first child is the trigger segment."""
    return GroupRule(f"SG{number}", status == MANDATORY, max_repeat, children)


@dataclass(frozen=True)
class MessageStructure:
    """The segment table of one message type in one directory (between UNH and UNT)."""

    type: str
    version: str
    release: str
    agency: str
    body: GroupRule

    @classmethod
    def of(cls, identifier: str, *children: SegmentRule | GroupRule) -> MessageStructure:
        """``MessageStructure.of("DESADV:D:96A:UN", S("BGM", "M", 1), ...)``."""
        type_, version, release, agency = identifier.split(":")
        return cls(type_, version, release, agency, GroupRule("", True, 1, children))

    @property
    def label(self) -> str:
        return f"{self.type} {self.version}.{self.release}"


class GroupInstance:
    """One occurrence of a segment group (or the message body) with the segments sorted into it."""

    __slots__ = ("groups", "rule", "segments")

    def __init__(self, rule: GroupRule, segments: list[Segment]) -> None:
        self.rule = rule
        self.segments = segments
        """This occurrence's own segments in order; for a group the trigger comes first."""
        self.groups: list[GroupInstance] = []
        """Nested group occurrences in order."""

    @property
    def trigger(self) -> Segment:
        return self.segments[0]

    def all(self, tag: str) -> list[Segment]:
        return [segment for segment in self.segments if segment.tag == tag]

    def first(self, tag: str, qualifier: str | None = None) -> Segment | None:
        """The first own segment ``tag``, optionally the first whose first component is ``qualifier``."""
        for segment in self.segments:
            if segment.tag == tag and (qualifier is None or segment.value(1) == qualifier):
                return segment
        return None

    def instances(self, name: str) -> list[GroupInstance]:
        """Nested occurrences of group ``name`` ("SG15")."""
        return [group for group in self.groups if group.rule.name == name]


def walk(
    body: Sequence[Segment], structure: MessageStructure, position_of: Callable[[Segment], int]
) -> tuple[GroupInstance, list[EdifactSyntaxError]]:
    """Sort ``body`` (the segments between UNH and UNT) into ``structure``; return the tree and the errors.

    ``position_of`` gives a segment's position in its message (UNH = 1). A segment that fits nowhere is left
    out of the tree.
    """
    root = GroupInstance(structure.body, [])
    # The innermost open occurrence: itself, its count per child, the child position reached; then the enclosing.
    node, seen, reached = root, [0] * len(structure.body.children), 0
    enclosing: list[tuple[GroupInstance, list[int], int]] = []
    errors: list[EdifactSyntaxError] = []
    for segment in body:
        tag = segment.tag
        while True:
            rule = node.rule
            start = reached or (1 if enclosing else 0)  # a group's trigger again starts its next occurrence
            found = -1
            for number in rule.index.get(tag, ()):
                if number >= start:
                    found = number
                    break
            if found >= 0:
                entry = rule.children[found]
                reached = found
                seen[found] += 1
                if seen[found] > entry.max_repeat:
                    errors.append(_too_many(rule, entry, segment, position_of(segment)))
                if isinstance(entry, GroupRule):
                    child = GroupInstance(entry, [segment])
                    node.groups.append(child)
                    enclosing.append((node, seen, reached))
                    node, seen, reached = child, [1] + [0] * (len(entry.children) - 1), 0
                else:
                    node.segments.append(segment)
                break
            if not enclosing:
                reason = f"segment {tag[:10]} is not expected here in {structure.label}"
                errors.append(_error(reason, SyntaxErrorCode.NOT_SUPPORTED_IN_POSITION, segment, position_of(segment)))
                break
            _close(rule, seen, position_of(segment), errors)
            node, seen, reached = enclosing.pop()
    end = (position_of(body[-1]) if body else 1) + 1
    _close(node.rule, seen, end, errors)
    while enclosing:
        node, seen, _ = enclosing.pop()
        _close(node.rule, seen, end, errors)
    return root, errors


def _too_many(rule: GroupRule, entry: SegmentRule | GroupRule, segment: Segment, position: int) -> EdifactSyntaxError:
    group = isinstance(entry, GroupRule)
    code = SyntaxErrorCode.TOO_MANY_SEGMENT_GROUP_REPETITIONS if group else SyntaxErrorCode.TOO_MANY_REPETITIONS
    where = f"in {rule.describe()}" if rule.name else "in the message"
    reason = f"{entry.describe()} occurs more than {entry.max_repeat} time(s) {where}"
    return _error(reason, code, segment, position)


def _close(rule: GroupRule, counts: list[int], position: int, errors: list[EdifactSyntaxError]) -> None:
    """Report the mandatory children of a group occurrence that never came."""
    for number in rule.required:
        if not counts[number]:
            entry = rule.children[number]
            where = f" in {rule.describe()}" if rule.name else ""
            error = EdifactSyntaxError(
                f"mandatory {entry.describe()} is missing{where}",
                SyntaxErrorCode.MISSING,
                level="message",
                segment_tag=entry.key,
                segment_position=position,
            )
            errors.append(error)


def _error(reason: str, code: SyntaxErrorCode, segment: Segment, position: int) -> EdifactSyntaxError:
    return EdifactSyntaxError(
        reason, code, level="message", segment_tag=segment.tag[:3], segment_position=position, offset=segment.offset
    )
