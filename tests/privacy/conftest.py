"""Fixtures for the privacy tests: the handoff suite's fakes (Rasa, Telegram with staff groups,
Twilio), its console accounts, and a clock that starts now (so Rasa's own timestamps and the
gateway's agree) and that a test moves forward past the retention periods."""

from __future__ import annotations

import pytest

from tests.gateway_fixtures import *  # noqa: F403 - the shared fixtures, for this suite

# The handoff suite's Telegram (with staff groups) in place of the shared one, and its settings.
from tests.handoff.conftest import Clock, fake_telegram, settings_for

__all__ = ["fake_telegram", "settings_for"]


@pytest.fixture
def clock() -> Clock:
    clock = Clock()
    clock.offset = 0.0  # real time; tests advance it
    return clock
