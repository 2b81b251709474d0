"""Fixtures for the follow-ups' tests: the handoff suite's (fake Rasa, Telegram with staff
groups, Twilio on loopback, a clock the test sets, the gateway around them) and the shipped
directory, whose real action output scripts the fake Rasa."""

from __future__ import annotations

from pathlib import Path

import pytest

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
