"""Fixtures for the report's tests: the gateway with console accounts (alex is staff, sam a
staff lead, kim an admin) on a clock the test sets, and the fakes on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.handoff.settings import HandoffSettings
from bot.settings import Settings
from bot.web.auth import StaffAccount, hash_password
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
from tests.handoff.conftest import ACCOUNTS, PASSWORDS, Clock

__all__ = [
    "fake_rasa",
    "fake_twilio",
    "http",
    "postgres_database",
    "postgres_url",
    "start_gateway",
]

LEAD, ADMIN = "sam", "kim"
PASSWORDS = {**PASSWORDS, ADMIN: "an admin's long enough password"}
ALL_ACCOUNTS = (*ACCOUNTS, StaffAccount(ADMIN, hash_password(PASSWORDS[ADMIN])))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(BOT_TOKEN) as server:
        yield server


@pytest.fixture
def settings_for(tmp_path: Path, fake_rasa: FakeRasa) -> Callable[..., Callable[[str], Settings]]:
    """``settings_for(telegram=..., sms=..., handoff=dict(...), **fields)``: staff on the console."""

    def staff(telegram: Any, handoff: dict[str, Any] | None) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "console_accounts": ALL_ACCOUNTS,
            "leads": frozenset({LEAD}),
            "admins": frozenset({ADMIN}),
        }
        fields.update(handoff or {})
        return {"handoff": HandoffSettings(**fields)}

    return settings_maker(tmp_path / "gateway.db", fake_rasa, webhook=True, extra=staff)
