"""Fixtures for the report's tests: the gateway with console accounts (alex is staff, sam a
staff lead, kim an admin) on a clock the test sets, and the fakes on loopback."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.handoff.settings import HandoffSettings
from bot.settings import Settings
from bot.web.auth import StaffAccount, hash_password
from scripts.fakes.rasa import FakeRasa
from tests.gateway_fixtures import *  # noqa: F403 - the shared fixtures, for this suite
from tests.gateway_fixtures import settings_maker
from tests.handoff.conftest import ACCOUNTS, PASSWORDS, clock  # noqa: F401 - clock, a fixture

LEAD, ADMIN = "sam", "kim"
PASSWORDS = {**PASSWORDS, ADMIN: "an admin's long enough password"}
ALL_ACCOUNTS = (*ACCOUNTS, StaffAccount(ADMIN, hash_password(PASSWORDS[ADMIN])))


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
