"""Fixtures for the handoff's tests: fake Rasa, Telegram (with staff groups) and Twilio on
loopback, a clock the test sets (office hours or 2 a.m.), and the gateway built around them.

Every server binds 127.0.0.1 port 0 and is stopped when its test ends.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.handoff.settings import HandoffSettings
from bot.settings import Settings
from bot.web.auth import StaffAccount, hash_password
from scripts.fakes.rasa import FakeRasa
from scripts.fakes.staff_telegram import ALEX, ON_CALL_CHAT, STAFF_CHAT, StaffTelegram, staff_text
from scripts.fakes.telegram import BOT_TOKEN
from tests.gateway_fixtures import (
    fake_rasa,
    fake_twilio,
    http,
    postgres_url,
    settings_maker,
    start_gateway,
)

LA = ZoneInfo("America/Los_Angeles")
TUESDAY_MORNING = datetime(2026, 11, 24, 10, 0, tzinfo=LA)  # office hours
TUESDAY_2AM = datetime(2026, 11, 24, 2, 0, tzinfo=LA)  # after hours: staff back at 9:00 AM
ON_CALL_PHONE = "+16505550911"
BACKUP_PHONE = "+16505550922"
PASSWORDS = {"alex": "correct horse battery staple", "sam": "tr0ub4dor&3-but-longer"}
# Hashing is slow on purpose; hash the test accounts once.
ACCOUNTS = tuple(StaffAccount(name, hash_password(pw)) for name, pw in PASSWORDS.items())

# The shared fixtures, exposed to this suite.
__all__ = ["fake_rasa", "fake_twilio", "http", "postgres_url", "start_gateway"]


class Clock:
    """Real time moved to a moment the test chooses, and forward when it says so."""

    def __init__(self, start: datetime = TUESDAY_MORNING) -> None:
        self.offset = start.timestamp() - time.time()

    def __call__(self) -> float:
        return time.time() + self.offset

    def set(self, moment: datetime) -> None:
        self.offset = moment.timestamp() - time.time()

    def advance(self, minutes: float) -> None:
        self.offset += minutes * 60


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def fake_telegram() -> AsyncIterator[StaffTelegram]:
    async with StaffTelegram(BOT_TOKEN) as server:
        yield server


@pytest.fixture
def staff_say(fake_telegram: StaffTelegram) -> Callable[..., None]:
    """``staff_say(words, thread, chat_id=STAFF_CHAT, user_id=ALEX)``: a member of staff (Alex,
    in the office's group, unless told) writes ``words`` in a case's topic."""

    def say(words: str, thread: int | None, chat_id: int = STAFF_CHAT, user_id: int = ALEX) -> None:
        fake_telegram.push(
            staff_text(fake_telegram.next_update_id(), chat_id, user_id, words, thread=thread)
        )

    return say


@pytest.fixture
def settings_for(tmp_path: Path, fake_rasa: FakeRasa) -> Callable[..., Callable[[str], Settings]]:
    """``settings_for(telegram=..., sms=..., webhook=..., handoff=dict(...))``: settings for a URL.

    With Telegram, staff work in STAFF_CHAT (office) and ON_CALL_CHAT (after hours) unless
    ``handoff`` says otherwise; console accounts alex and sam are configured.
    """

    def staff(telegram: StaffTelegram | None, handoff: dict[str, Any] | None) -> dict[str, Any]:
        fields: dict[str, Any] = {"console_accounts": ACCOUNTS}
        if telegram is not None:
            fields.update(staff_chat_id=STAFF_CHAT, on_call_chat_id=ON_CALL_CHAT)
        fields.update(handoff or {})
        return {"handoff": HandoffSettings(**fields)}

    return settings_maker(tmp_path / "gateway.db", fake_rasa, webhook=True, extra=staff)
