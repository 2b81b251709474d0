"""Fixtures for the follow-ups' tests: the handoff suite's (fake Rasa, Telegram with staff
groups, Twilio on loopback, a clock the test sets, the gateway around them) and the shipped
directory, whose real action output scripts the fake Rasa."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from scripts.fakes.gateway import RunningGateway
from tests.followups.test_followups_flow import NIGHT, night_search_and_yes
from tests.handoff.conftest import (
    clock,
    fake_rasa,
    fake_telegram,
    fake_twilio,
    http,
    postgres_url,
    settings_for,
    start_gateway,
)
from tests.listings import built_directory

__all__ = [
    "clock", "fake_rasa", "fake_telegram", "fake_twilio", "http", "postgres_url",
    "settings_for", "start_gateway",
]  # fmt: skip


@pytest.fixture(scope="package")
def directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_directory(tmp_path_factory.mktemp("directory"))


@pytest.fixture
def yes_at_night(
    start_gateway, settings_for, fake_telegram, fake_rasa, clock, directory
) -> Callable[..., Awaitable[RunningGateway]]:
    """``await yes_at_night(**settings)``: the gateway on Telegram (``settings_for(**settings)``)
    whose client asked for a bed at NIGHT and said yes to being asked in the morning."""

    async def start(**settings: Any) -> RunningGateway:
        clock.set(NIGHT)
        gateway = await start_gateway(settings_for(telegram=fake_telegram, **settings))
        await night_search_and_yes(gateway, fake_telegram, fake_rasa, directory)
        return gateway

    return start
