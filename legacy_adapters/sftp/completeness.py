"""When is a dropped file complete? Legacy senders write in place, so the poller has to judge.

Two conventions, chosen per route:

* ``stable``: the file's size and modification time are the same on ``stable_polls`` consecutive polls.
  Both are compared, never the age of the mtime alone: a copied file may carry an old mtime while it grows.
* ``done-marker``: the sender writes ``NAME`` and then an empty ``NAME<suffix>`` (e.g. ``ORDERS.txt.done``)
  when it has finished; the marker is removed together with the file.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Observation:
    size: int
    mtime: int


class StabilityTracker:
    """Remembers what each poll saw and says which files have stopped changing."""

    def __init__(self, stable_polls: int) -> None:
        if stable_polls < 2:
            raise ValueError("stable_polls must be at least 2: one poll cannot see a file stop growing")
        self._stable_polls = stable_polls
        self._seen: dict[str, tuple[Observation, int]] = {}

    def observe(self, listing: dict[str, Observation]) -> list[str]:
        """Record one poll's listing; return the names seen unchanged on the last ``stable_polls`` polls."""
        seen: dict[str, tuple[Observation, int]] = {}
        for name, observation in listing.items():
            previous = self._seen.get(name)
            count = previous[1] + 1 if previous is not None and previous[0] == observation else 1
            seen[name] = (observation, count)
        self._seen = seen  # files gone from the folder are forgotten
        return sorted(name for name, (_, count) in seen.items() if count >= self._stable_polls)

    def forget(self, name: str) -> None:
        self._seen.pop(name, None)


def completed_by_marker(names: set[str], suffix: str) -> list[str]:
    """Names whose done-marker is present (markers themselves are not files to read)."""
    return sorted(name for name in names if not name.endswith(suffix) and name + suffix in names)
