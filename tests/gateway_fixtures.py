"""Fixtures both the gateway's and the handoff's suites use; each conftest imports them.

The protocol fakes themselves are in ``scripts/fakes/`` (the benchmarks use them too). Every
server binds 127.0.0.1 port 0 and is stopped when its test ends. ``start_gateway`` runs the app
on the suite's ``clock`` fixture: the wall clock for the gateway's tests, one the test sets for
the handoff's.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import aiohttp
import pytest

from bot.settings import Settings
from scripts.fakes.gateway import RunningGateway
from scripts.fakes.postgres import PostgresUnavailable, new_database, postgres_server
from scripts.fakes.rasa import FakeRasa
from scripts.fakes.twilio import FakeTwilio


@pytest.fixture
async def fake_rasa() -> AsyncIterator[FakeRasa]:
    async with FakeRasa() as server:
        yield server


@pytest.fixture
async def fake_twilio() -> AsyncIterator[FakeTwilio]:
    async with FakeTwilio() as server:
        yield server


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A PostgreSQL server for the whole session (skipped where it cannot start, except in CI:
    `make test` installs it with scripts/ensure-system-packages)."""
    try:
        server = postgres_server()
        url = server.__enter__()
    except PostgresUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(f"{exc}; scripts/ensure-system-packages should have installed it")
        pytest.skip(str(exc))
    try:
        yield url
    finally:
        server.__exit__(None, None, None)


@pytest.fixture
def postgres_database(postgres_url: str) -> str:
    """A new, empty database on that server, for one test."""
    return new_database(postgres_url)


@pytest.fixture
async def start_gateway(clock: Callable[[], float]) -> AsyncIterator[Callable[..., Any]]:
    """``await start_gateway(settings_factory)`` -> a running gateway, stopped after the test."""
    running: list[RunningGateway] = []

    async def start(make_settings: Callable[[str], Settings]) -> RunningGateway:
        gateway = RunningGateway(make_settings, clock=clock)
        await gateway.start()
        running.append(gateway)
        return gateway

    yield start
    for gateway in reversed(running):
        if gateway.started:
            await gateway.stop()
