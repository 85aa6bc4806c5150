"""Shared fixtures: a throwaway RabbitMQ vhost, a fresh store (SQLite and PostgreSQL), an HTTP target, the bus."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from bus.catalogue import load_catalogue
from bus.runtime import BusRuntime
from bus.settings import Settings
from tests.support.broker import throwaway_vhost
from tests.support.stores import fresh_database
from tests.support.target import HttpTarget


@pytest.fixture
def amqp_url() -> Iterator[str]:
    with throwaway_vhost() as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with fresh_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> Iterator[str]:
    with fresh_database("sqlite", tmp_path) as url:
        yield url


@pytest.fixture
async def target() -> AsyncIterator[HttpTarget]:
    server = HttpTarget()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def routes_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "routes"
    directory.mkdir()
    return directory


BusFactory = Callable[..., "asynccontextmanager[BusRuntime]"]


@pytest.fixture
def bus(amqp_url: str, routes_dir: Path, request: pytest.FixtureRequest) -> Callable:
    """``async with bus(database_url=...) as runtime:`` runs the bus in-process on the test's vhost and routes.

    ``park_dead_letters=True`` also drains dead letters into the store, as ``esb run`` does.
    """

    @asynccontextmanager
    async def running(
        database_url: str, *, park_dead_letters: bool = False, **settings: object
    ) -> AsyncIterator[BusRuntime]:
        config = Settings(amqp_url=amqp_url, database_url=database_url, routes_dir=routes_dir, http_port=0, **settings)
        runtime = BusRuntime(config, load_catalogue(routes_dir), park_dead_letters=park_dead_letters)
        await runtime.start()
        try:
            yield runtime
        finally:
            await runtime.stop()

    return running
