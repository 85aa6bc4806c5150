"""The operations on parked dead letters, shared by ``esb dlq`` and the admin API.

Store access runs in worker threads (never on the event loop). Replays publish first, with broker confirms,
and mark the dead letter replayed after: an interrupted bulk replay is simply run again; what it already
replayed is no longer parked and is skipped, and what it republished without marking reaches the target
with the same message id, which the route's idempotency absorbs.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine

from bus.publisher import Publisher
from deadletter import changes, queries
from deadletter.editing import patched_payload
from deadletter.errors import Conflict, NotFound, Refused
from deadletter.replay import ReplayOutcome, load_items, publish_items
from deadletter.selection import Selection
from deadletter.views import Detail, Group, Page, Summary

T = TypeVar("T")
DEFAULT_BATCH = 100


@dataclass
class ReplayReport:
    selected: int
    replayed: int = 0
    parked_again: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def done(self) -> int:
        return self.replayed + self.parked_again + self.failed

    def count(self, outcome: ReplayOutcome) -> None:
        if outcome.result == "replayed":
            self.replayed += 1
        elif outcome.result == "parked again":
            self.parked_again += 1
        else:
            self.failed += 1
            self.errors.append(f"{outcome.id}: {outcome.error}")


Progress = Callable[[ReplayReport], None]


def _required(reason: str | None, action: str) -> str:
    if reason is None or not reason.strip():
        raise Refused(f"say why: a reason is required to {action} a dead letter")
    return reason.strip()


class DeadLetterService:
    """``publisher`` is needed for replays only."""

    def __init__(self, engine: Engine, publisher: Publisher | None = None) -> None:
        self._engine = engine
        self._publisher = publisher

    async def _read(self, work: Callable[..., T], *args: Any) -> T:
        def run() -> T:
            with self._engine.connect() as connection:
                return work(connection, *args)

        return await asyncio.to_thread(run)

    async def _write(self, work: Callable[..., T], *args: Any) -> T:
        def run() -> T:
            with self._engine.begin() as connection:
                return work(connection, *args)

        return await asyncio.to_thread(run)

    async def list(self, selection: Selection, page: int = 1, page_size: int = 50) -> Page[Summary]:
        return await self._read(queries.list_page, selection, max(page, 1), max(page_size, 1))

    async def groups(self, selection: Selection, page: int = 1, page_size: int = 50) -> Page[Group]:
        return await self._read(queries.group_page, selection, max(page, 1), max(page_size, 1))

    async def show(self, deadletter_id: int) -> Detail:
        found = await self._read(queries.detail, deadletter_id)
        if found is None:
            raise NotFound(f"no dead letter {deadletter_id}")
        return found

    async def edit(self, deadletter_id: int, patch: Any, actor: str, reason: str | None) -> Detail:
        """Apply a JSON Patch to the payload; kept only if the result is valid for the message's type."""
        why = _required(reason, "edit")
        current = await self.show(deadletter_id)
        if current.status != "parked":
            raise Conflict(f"dead letter {deadletter_id} is {current.status}; only parked dead letters can be edited")
        body = await self._read(_current_body, deadletter_id)
        edited = patched_payload(current.type, current.schema_version, body, patch)
        await self._write(changes.save_edit, deadletter_id, edited, patch, actor, why)
        return await self.show(deadletter_id)

    async def discard(self, deadletter_id: int, actor: str, reason: str | None) -> Detail:
        why = _required(reason, "discard")
        await self._write(changes.discard, deadletter_id, actor, why)
        return await self.show(deadletter_id)

    async def replay_one(self, deadletter_id: int, actor: str, reason: str | None = None) -> ReplayOutcome:
        await self._read(changes.check_parked, deadletter_id, "replayed")
        (outcome,) = await self._replay_ids([deadletter_id], actor, reason)
        return outcome

    async def replay(
        self,
        selection: Selection,
        actor: str,
        reason: str | None = None,
        *,
        limit: int | None = None,
        batch_size: int = DEFAULT_BATCH,
        rate: float | None = None,
        progress: Progress | None = None,
    ) -> ReplayReport:
        """Replay the parked dead letters of ``selection`` in id order, ``batch_size`` at a time.

        ``limit`` stops after that many; ``rate`` (per second, at most) spares a target that has just recovered.
        A batch that fails entirely (broker unavailable) ends the run; what failed stays parked.
        """
        parked = selection.model_copy(update={"status": "parked"})
        if rate:
            batch_size = min(batch_size, max(1, int(rate)))  # no bursts above the rate
        total = await self._read(queries.count, parked)
        report = ReplayReport(selected=total if limit is None else min(total, limit))
        after, started = 0, time.monotonic()
        while report.done < report.selected:
            ids = await self._read(queries.selected_ids, parked, after, min(batch_size, report.selected - report.done))
            if not ids:
                break
            after = ids[-1]
            outcomes = await self._replay_ids(ids, actor, reason)
            for outcome in outcomes:
                report.count(outcome)
            if progress is not None:
                progress(report)
            if not any(outcome.published for outcome in outcomes):
                break
            if rate:
                await asyncio.sleep(max(0.0, report.done / rate - (time.monotonic() - started)))
        return report

    async def _replay_ids(self, ids: list[int], actor: str, reason: str | None) -> list[ReplayOutcome]:
        if self._publisher is None:
            raise RuntimeError("replays need a publisher")
        items = await self._read(load_items, ids)
        outcomes = await publish_items(self._publisher, items)
        await self._write(_mark_published, outcomes, actor, reason)
        return outcomes


def _current_body(connection: Connection, deadletter_id: int) -> bytes:
    (item,) = load_items(connection, [deadletter_id])
    return item.body


def _mark_published(connection: Connection, outcomes: list[ReplayOutcome], actor: str, reason: str | None) -> None:
    for outcome in outcomes:
        if outcome.published:
            changes.mark_replayed(connection, outcome.id, actor, reason, outcome.details(), sent_at=outcome.sent_at)
