"""Fixtures shared by every suite: the real Rasa and action servers (tests/servers.py), a
tracker store Rasa itself writes, and headless Chromium (Debian's, driven by Playwright) for
the page tests."""

from __future__ import annotations

import os
import warnings
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.async_api import Browser, async_playwright

from scripts.fakes.gateway import RunningGateway
from tests.servers import rasa_servers

if TYPE_CHECKING:
    from rasa.core.tracker_store import SQLTrackerStore

__all__ = ["browser", "rasa_servers"]

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Without the background-networking flags Chromium floods this closed network.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(autouse=True)
def _unpaced(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """A gateway under test sends to the fakes without the providers' pacing (a second between
    two messages to one chat, three between posts to the staff group), unless the test is
    marked ``paced``: tests/bot/test_pacing.py holds the pacing itself."""
    if request.node.get_closest_marker("paced") is None:
        monkeypatch.setattr(RunningGateway, "paced", False)


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    if not os.path.exists(CHROMIUM):  # noqa: ASYNC240 - once, before the browser starts
        pytest.fail(f"Chromium is needed at {CHROMIUM}: run `make browser` or set CHROMIUM_PATH")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        await browser.close()


@pytest.fixture
def rasa_store(tmp_path: Path) -> SQLTrackerStore:
    """Rasa 3.6's own SQLTrackerStore, in this process, on SQLite at tmp_path/tracker.db."""
    with warnings.catch_warnings():
        # rasa.core imports TensorFlow, which touches deprecated jax and numpy names on import.
        warnings.simplefilter("ignore")
        from rasa.core.tracker_store import SQLTrackerStore
        from rasa.shared.core.domain import Domain

        return SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "tracker.db"))
