"""The web chat page's "Delete my messages" button, in headless Chromium: the client reads
what it does, taps "Yes, delete them", and their conversation is erased from the store."""

from __future__ import annotations

import pytest

from tests.bot.test_gateway_page import open_chat
from tests.handoff.helpers import settle
from tests.privacy.helpers import SENTENCE, found_in_store

pytestmark = pytest.mark.browser


async def test_delete_my_messages_on_the_page(browser, start_gateway, settings_for, fake_rasa):
    gateway = await start_gateway(settings_for())
    page = await open_chat(browser, gateway.url)
    await page.fill("#text", SENTENCE)
    await page.press("#text", "Enter")
    await page.wait_for_selector(f"li.bot >> text=You said: {SENTENCE}")

    await page.click("#forget")
    await page.wait_for_selector("li.bot >> text=It can't be undone.")
    await page.click("li.bot button:has-text('Yes, delete them')")
    await page.wait_for_selector("li.bot >> text=Your messages are being deleted")

    for _ in range(400):
        if not found_in_store(gateway.db.url, [SENTENCE]):
            break
        await settle(gateway)
    assert found_in_store(gateway.db.url, [SENTENCE]) == []
    assert [r.message for r in fake_rasa.received] == [SENTENCE]  # nothing of it went to Rasa
