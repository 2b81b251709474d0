"""Fixtures for the gateway's tests: fake Rasa, Telegram and Twilio on loopback, and the gateway.

Every server here binds 127.0.0.1 port 0 and is stopped when its test ends.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.settings import Settings
from scripts.fakes.rasa import FakeRasa
from tests.gateway_fixtures import *  # noqa: F403 - the shared fixtures, for this suite
from tests.gateway_fixtures import settings_maker


@pytest.fixture
def clock() -> Callable[[], float]:
    """The gateway's clock in these tests: the wall clock."""
    return time.time


@pytest.fixture
def settings_for(tmp_path: Path, fake_rasa: FakeRasa) -> Callable[..., Callable[[str], Settings]]:
    """``settings_for(telegram=..., sms=..., webhook=..., **fields)`` -> settings for a URL."""
    return settings_maker(tmp_path / "gateway.db", fake_rasa, webhook=False)
