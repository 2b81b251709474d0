"""Fixtures for the gateway's tests: fake Rasa, Telegram and Twilio on loopback, and the gateway.

Every server here binds 127.0.0.1 port 0 and is stopped when its test ends.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.settings import Settings
from tests.bot.gateway_fakes.fixtures import fake_rasa, fake_twilio, http
from tests.bot.gateway_fakes.gateway import RunningGateway, loopback_settings
from tests.bot.gateway_fakes.postgres import new_database, postgres_server
from tests.bot.gateway_fakes.rasa import FakeRasa
from tests.bot.gateway_fakes.telegram import BOT_TOKEN, FakeTelegram
from tests.bot.gateway_fakes.twilio import FakeTwilio

__all__ = ["fake_rasa", "fake_twilio", "http"]  # shared fixtures, exposed to this suite


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A PostgreSQL server for the whole session (skipped where not installed, except in CI)."""
    with postgres_server() as url:
        yield url


@pytest.fixture
def postgres_database(postgres_url: str) -> str:
    """A new, empty database on that server, for one test."""
    return new_database(postgres_url)


@pytest.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(BOT_TOKEN) as server:
        yield server


@pytest.fixture
def settings_for(tmp_path: Path, fake_rasa: FakeRasa) -> Callable[..., Callable[[str], Settings]]:
    """``settings_for(telegram=..., sms=..., webhook=..., **fields)`` -> settings for a URL."""

    def make(
        telegram: FakeTelegram | None = None,
        sms: FakeTwilio | None = None,
        webhook: bool = False,
        **fields: Any,
    ) -> Callable[[str], Settings]:
        def build(url: str) -> Settings:
            return loopback_settings(
                url,
                tmp_path / "gateway.db",
                fake_rasa.url,
                telegram_url=telegram.url if telegram else None,
                twilio_url=sms.url if sms else None,
                webhook=webhook,
                **fields,
            )

        return build

    return make


@pytest.fixture
async def start_gateway() -> AsyncIterator[Callable[..., Any]]:
    """``await start_gateway(settings_factory)`` -> a running gateway, stopped after the test."""
    running: list[RunningGateway] = []

    async def start(make_settings: Callable[[str], Settings]) -> RunningGateway:
        gateway = RunningGateway(make_settings)
        await gateway.start()
        running.append(gateway)
        return gateway

    yield start
    for gateway in reversed(running):
        if gateway.started:
            await gateway.stop()
