"""Fixtures both the gateway's and the handoff's suites use; each conftest imports them.

Every server binds 127.0.0.1 port 0 and is stopped when its test ends.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from tests.bot.gateway_fakes.rasa import FakeRasa
from tests.bot.gateway_fakes.twilio import FakeTwilio


@pytest.fixture
async def fake_rasa() -> AsyncIterator[FakeRasa]:
    async with FakeRasa() as server:
        yield server


@pytest.fixture
async def fake_twilio() -> AsyncIterator[FakeTwilio]:
    async with FakeTwilio() as server:
        yield server


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session
