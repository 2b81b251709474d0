"""Fixtures both the gateway's and the handoff's suites use; each conftest imports them (the
gateway's, the report's and the privacy suite's with ``*``: the fixtures named in ``__all__``).

The protocol fakes themselves are in ``scripts/fakes/`` (the benchmarks use them too). Every
server binds 127.0.0.1 port 0 and is stopped when its test ends. ``start_gateway`` runs the app
on the suite's ``clock`` fixture: the wall clock for the gateway's tests, one the test sets for
the handoff's.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.settings import Settings
from scripts.fakes.gateway import RunningGateway, loopback_settings
from scripts.fakes.postgres import PostgresUnavailable, new_database, postgres_server
from scripts.fakes.rasa import FakeRasa
from scripts.fakes.telegram import BOT_TOKEN, FakeTelegram
from scripts.fakes.twilio import FakeTwilio

__all__ = [
    "fake_rasa",
    "fake_telegram",
    "fake_twilio",
    "http",
    "postgres_database",
    "postgres_url",
    "start_gateway",
]


@pytest.fixture
async def fake_rasa() -> AsyncIterator[FakeRasa]:
    async with FakeRasa() as server:
        yield server


@pytest.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    """Telegram for clients only (the handoff's suite has its own, with staff groups)."""
    async with FakeTelegram(BOT_TOKEN) as server:
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


def settings_maker(
    database: Path,
    rasa: FakeRasa,
    webhook: bool,
    extra: Callable[[Any, dict[str, Any] | None], dict[str, Any]] | None = None,
) -> Callable[..., Callable[[str], Settings]]:
    """What a suite's ``settings_for`` fixture returns: ``make(telegram=..., sms=..., webhook=...,
    handoff=..., **fields)`` -> settings for the gateway's URL, talking to the fakes given.
    ``extra(telegram, handoff)``: more fields (the handoff suite's staff groups and accounts)."""

    def make(
        telegram: Any = None,
        sms: Any = None,
        webhook: bool = webhook,
        handoff: dict[str, Any] | None = None,
        **fields: Any,
    ) -> Callable[[str], Settings]:
        def build(url: str) -> Settings:
            if extra is not None:
                more = extra(telegram, handoff)
            else:  # the handoff's settings as they are
                more = {} if handoff is None else {"handoff": handoff}
            return loopback_settings(
                url,
                database,
                rasa.url,
                telegram_url=telegram.url if telegram else None,
                twilio_url=sms.url if sms else None,
                webhook=webhook,
                **more,
                **fields,
            )

        return build

    return make


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
