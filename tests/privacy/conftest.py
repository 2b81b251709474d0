"""Fixtures for the privacy tests: the handoff suite's fakes (Rasa, Telegram with staff groups,
Twilio), its console accounts, and a clock that starts now (so Rasa's own timestamps and the
gateway's agree) and that a test moves forward past the retention periods."""

from __future__ import annotations

import pytest

from tests.gateway_fixtures import (
    fake_rasa,
    fake_twilio,
    http,
    postgres_database,
    postgres_url,
    start_gateway,
)
from tests.handoff.conftest import Clock, fake_telegram, settings_for

__all__ = [
    "fake_rasa",
    "fake_telegram",
    "fake_twilio",
    "http",
    "postgres_database",
    "postgres_url",
    "settings_for",
    "start_gateway",
]


@pytest.fixture
def clock() -> Clock:
    clock = Clock()
    clock.offset = 0.0  # real time; tests advance it
    return clock
