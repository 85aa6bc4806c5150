"""A real HTTP target system for route tests: records every request and answers as scripted."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def key(self) -> str:
        return self.headers.get("Idempotency-Key", "")

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class HttpTarget:
    """Answers 200 unless a status script is set for an Idempotency-Key; dedupes effects by that key."""

    host: str = "127.0.0.1"
    port: int = 0
    delay: float = 0.0
    scripts: dict[str, list[int]] = field(default_factory=dict)
    default_script: list[int] = field(default_factory=list)
    arrival_script: list[int] = field(default_factory=list)
    """Statuses for the next requests in order of arrival, whatever their key (then the per-key scripts)."""
    received: list[Received] = field(default_factory=list)
    applied: dict[str, Received] = field(default_factory=dict)
    _runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/hook"

    def attempts(self) -> Counter[str]:
        return Counter(r.key for r in self.received)

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        item = Received(request.path, dict(request.headers), body)
        self.received.append(item)
        if self.delay:
            await asyncio.sleep(self.delay)
        script = self.scripts.setdefault(item.key, list(self.default_script))
        if self.arrival_script:
            status = self.arrival_script.pop(0)
        else:
            status = script.pop(0) if script else 200
        if status < 300:
            self.applied.setdefault(item.key, item)  # what an idempotent receiver does with a repeated key
        return web.Response(status=status, text=f"status {status}")

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


async def wait_for(predicate, timeout: float = 15.0, interval: float = 0.05, what: str = "condition") -> None:  # type: ignore[no-untyped-def]
    """Poll ``predicate`` until true; fail the test with ``what`` after ``timeout`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(interval)
