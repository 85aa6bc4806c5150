"""``esb trace``: the story of one business transaction, as the journal tells it."""

from __future__ import annotations

import json
from collections.abc import Sequence

from bus.journal import Entry


def as_table(entries: Sequence[Entry]) -> str:
    """One line per event: time, seconds since the first event, event, route, type, message, system, detail."""
    if not entries:
        return "no journal entries"
    start = entries[0].at
    header = f"{'time (UTC)':26s} {'+seconds':>9s}  {'event':14s} {'route':24s} {'type':34s} {'message':36s} system"
    lines = [header]
    for e in entries:
        line = (
            f"{e.at.strftime('%Y-%m-%d %H:%M:%S.%f')[:-3]:26s} {(e.at - start).total_seconds():9.3f}  "
            f"{e.event:14s} {e.route or '-':24s} {e.message_type:34s} {e.message_id:36s} {e.system or '-'}"
        )
        lines.append(f"{line}  {e.detail}" if e.detail else line)
    messages = len({e.message_id for e in entries})
    routes = len({e.route for e in entries if e.route})
    lines.append(f"{len(entries)} event(s), {messages} message(s), {routes} route(s)")
    return "\n".join(lines)


def as_json(entries: Sequence[Entry]) -> str:
    return json.dumps(
        [
            {
                "at": e.at.isoformat(),
                "event": e.event,
                "message_id": e.message_id,
                "correlation_id": e.correlation_id,
                "type": e.message_type,
                "route": e.route,
                "system": e.system,
                "detail": e.detail,
            }
            for e in entries
        ],
        indent=2,
    )
