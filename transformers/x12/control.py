"""Control numbers seen so far, to find one used twice (ST02 within a group, GS06 within an interchange).

Senders number consecutively, so numeric control numbers are kept as ranges: a group of a hundred thousand sets
costs one range, not a hundred thousand strings. Numbers are told apart as written (``0001`` is not ``001``).
"""

from __future__ import annotations

from bisect import bisect_right


class _Ranges:
    """Disjoint, sorted ranges of integers, merged as they touch."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def add(self, number: int) -> bool:
        """Add ``number``; False when it was there already."""
        starts, ends = self.starts, self.ends
        if ends and ends[-1] == number - 1:  # the next number of the last range: the usual case, no search
            ends[-1] = number
            return True
        at = bisect_right(starts, number) - 1
        if at >= 0 and number <= ends[at]:
            return False
        joins_left = at >= 0 and ends[at] == number - 1
        joins_right = at + 1 < len(starts) and starts[at + 1] == number + 1
        if joins_left and joins_right:
            ends[at] = ends.pop(at + 1)
            del starts[at + 1]
        elif joins_left:
            ends[at] = number
        elif joins_right:
            starts[at + 1] = number
        else:
            starts.insert(at + 1, number)
            ends.insert(at + 1, number)
        return True


class ControlNumbers:
    """A set of control numbers whose size does not grow with consecutive numbers."""

    def __init__(self) -> None:
        self._numeric: dict[int, _Ranges] = {}
        """Numeric control numbers by their width."""
        self._other: set[str] = set()

    def add(self, value: str) -> bool:
        """Add ``value``; False when it was there already."""
        if value.isascii() and value.isdigit():
            ranges = self._numeric.get(len(value))
            if ranges is None:
                ranges = self._numeric[len(value)] = _Ranges()
            return ranges.add(int(value))
        if value in self._other:
            return False
        self._other.add(value)
        return True
