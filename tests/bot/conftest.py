"""Fixtures for the gateway's tests: fake Rasa, Telegram and Twilio on loopback, and the gateway.

Every server here binds 127.0.0.1 port 0 and is stopped when its test ends.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from bot.settings import Settings
from scripts.fakes.rasa import FakeRasa
from scripts.fakes.telegram import BOT_TOKEN, FakeTelegram
from tests.gateway_fixtures import (
    fake_rasa,
    fake_twilio,
    http,
    postgres_database,
    postgres_url,
    settings_maker,
    start_gateway,
)

# The shared fixtures, exposed to this suite.
__all__ = ["fake_rasa", "fake_twilio", "http", "postgres_database", "postgres_url", "start_gateway"]


@pytest.fixture
def clock() -> Callable[[], float]:
    """The gateway's clock in these tests: the wall clock."""
    return time.time


@pytest.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(BOT_TOKEN) as server:
        yield server


@pytest.fixture
def settings_for(tmp_path: Path, fake_rasa: FakeRasa) -> Callable[..., Callable[[str], Settings]]:
    """``settings_for(telegram=..., sms=..., webhook=..., **fields)`` -> settings for a URL."""
    return settings_maker(tmp_path / "gateway.db", fake_rasa, webhook=False)
