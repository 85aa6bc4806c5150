"""Plain-text output of ``esb dlq``: aligned tables and a readable dead letter."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from deadletter.views import Detail, Group, Summary

ERROR_WIDTH = 70


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = [list(header), *[list(row) for row in rows]]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip() for line in lines)


def when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%SZ") if moment else "-"


def clip(text: str, width: int = ERROR_WIDTH) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 3] + "..."


def keys(business_keys: dict[str, str]) -> str:
    return ",".join(f"{name}={value}" for name, value in business_keys.items()) or "-"


def summaries(items: Sequence[Summary]) -> str:
    header = ("ID", "STATUS", "FAILED", "ROUTE", "TYPE", "REASON", "TRIES", "KEYS", "ERROR")
    rows = [
        (
            str(s.id),
            s.status + ("*" if s.edited else ""),
            when(s.failed_at),
            s.route or "-",
            s.type or "-",
            s.reason,
            str(s.attempts),
            keys(s.business_keys),
            clip(f"{s.error_class}: {s.error_message}"),
        )
        for s in items
    ]
    return table(header, rows)


def groups(items: Sequence[Group]) -> str:
    header = ("FINGERPRINT", "COUNT", "ROUTE", "ERROR", "FIRST", "LAST", "SAMPLE")
    rows = [
        (
            g.fingerprint,
            str(g.count),
            g.route or "-",
            g.error_class,
            when(g.first_failed_at),
            when(g.last_failed_at),
            clip(f"#{g.sample_id} {g.sample_error}"),
        )
        for g in items
    ]
    return table(header, rows)


def detail(d: Detail) -> str:
    out = [
        f"dead letter {d.id}: {d.status} since {when(d.status_at)}" + (", payload edited" if d.edited else ""),
        f"  message id      {d.message_id or '-'}",
        f"  correlation id  {d.correlation_id or '-'}",
        f"  type            {d.type or '-'} (schema v{d.schema_version or '?'}), plant {d.plant or '-'}",
        f"  route           {d.route or '- (no route took it)'}, routing key {d.routing_key}",
        f"  reason          {d.reason} after {d.attempts} attempt(s), failed {when(d.failed_at)}",
        f"  error           {d.error_class}: {d.error_message}",
        f"  fingerprint     {d.fingerprint} ({d.shape})",
        f"  business keys   {keys(d.business_keys)}",
        f"  parked          {when(d.parked_at)}, replayed {d.replays} time(s)",
        "attempts:",
        *[f"  {a.attempt}  {when(a.failed_at)}  {a.error_class}: {a.error_message}" for a in d.attempt_history],
        "audit:",
        *[
            f"  {when(a.at)}  {a.action} by {a.actor}"
            + (f": {a.reason}" if a.reason else "")
            + (f" {json.dumps(a.details)}" if a.details else "")
            for a in d.audit
        ],
        "properties:",
        *[f"  {name}: {value}" for name, value in d.properties.items()],
        "headers:",
        *[f"  {name}: {value}" for name, value in d.headers.items()],
        "payload" + (" (edited; replays send this one)" if d.edited else "") + ":",
        json.dumps(d.payload, indent=2),
    ]
    if d.original_payload is not None:
        out += ["original payload:", json.dumps(d.original_payload, indent=2)]
    return "\n".join(out)
